#include "metrics/sharded_series.h"

namespace warden::metrics {

size_t currentShardSlot() {
  static std::atomic<size_t> next{0};
  thread_local const size_t slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

}  // namespace warden::metrics
