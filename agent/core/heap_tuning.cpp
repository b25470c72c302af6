#include "core/heap_tuning.h"

#include <malloc.h>

namespace warden {

void keepFreedHeapMemory() {
  constexpr int kMmapThreshold = 4 << 20;
  constexpr int kTrimThreshold = 64 << 20;
  // Failures leave glibc's defaults: slower, not wrong.
  (void)mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  (void)mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace warden
