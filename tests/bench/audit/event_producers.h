// Submits events to an EventLog from several threads, as proxy workers do:
// in batches of up to kEventBatchMax (the workers' EventBatcher size).
// The log drops what does not fit in its queue; a benchmark of sustained
// throughput must not, so the producers hold back while the queue is nearly
// full (submitted but not yet written events), which is the back-pressure
// the proxy's full() check gives under the block policy.
#pragma once

#include <cstdint>

#include "layers/audit/event_log.h"

namespace warden::bench {

struct ProducerFigures {
  uint64_t submitted = 0;   // accepted by submitBatch
  uint64_t refused = 0;     // returned by submitBatch as not queued (should stay 0)
  uint64_t waits = 0;       // times a producer held back for the writer
};

// Blocks until all `events` have been handed to `log` from `threads` threads.
ProducerFigures produceEvents(audit::EventLog& log, uint64_t events, unsigned threads, size_t maxQueued);

}  // namespace warden::bench
