// Request events as wardend writes them for an inspected chat completion:
// identity, destination, the adapter's reading of request and response,
// the validation verdict (allow, no findings, as for most requests). About
// 1 KB as a JSON line, plus the hash chain's fields in the spool.
#pragma once

#include <cstddef>
#include <cstdint>

#include "layers/audit/event.h"

namespace warden::bench {

// The n-th event of a run: a few fields vary with n, as they do between
// requests. The id is left empty: the log's writer fills it in, as it does
// for the proxy's events.
audit::Event requestEvent(uint64_t n);

// Bytes of the JSON line `requestEvent(n)` becomes.
size_t requestEventLineBytes();

}  // namespace warden::bench
