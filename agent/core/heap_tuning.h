// glibc's allocator, left to its defaults, hands large blocks back to the
// kernel as soon as they are freed (trimming the heap top, unmapping blocks
// over its mmap threshold) and faults the pages in again on the next
// request: a validated prompt of 20 KB allocates and frees views and offset
// tables of that order every time. Measured on the validation engine, the
// page faults alone cost a third of its time.
#pragma once

namespace warden {

// Keeps freed memory in the process for reuse: blocks up to 4 MiB come from
// the heap, and the heap is trimmed only past 64 MiB of free memory at its
// top. Peak memory stays bounded by what requests may use (body limits); it
// is not returned to the kernel after a burst. Call once, early in main().
void keepFreedHeapMemory();

}  // namespace warden
