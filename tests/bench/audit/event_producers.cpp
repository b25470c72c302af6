#include "event_producers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "bench_events.h"
#include "proxy/event_batcher.h"

namespace warden::bench {

ProducerFigures produceEvents(audit::EventLog& log, uint64_t events, unsigned threads, size_t maxQueued) {
  const uint64_t batchSize = proxy::kEventBatchMax;
  // Every producer may pass the check at once: leave each a batch of room.
  const uint64_t inFlightLimit = maxQueued > threads * batchSize ? maxQueued - threads * batchSize : batchSize;
  const uint64_t writtenBefore = log.written();
  std::atomic<uint64_t> submitted{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> waits{0};
  std::atomic<uint64_t> next{0};  // event numbers handed out to producers

  auto produce = [&] {
    std::vector<audit::Event> batch;
    batch.reserve(batchSize);
    for (;;) {
      const uint64_t first = next.fetch_add(batchSize);
      if (first >= events) return;
      const uint64_t count = std::min(batchSize, events - first);
      for (uint64_t i = 0; i < count; ++i) batch.push_back(requestEvent(first + i));
      while (submitted.load() + refused.load() - (log.written() - writtenBefore) + count > inFlightLimit) {
        ++waits;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      const size_t queued = log.submitBatch(batch);  // clears `batch`
      submitted += queued;
      refused += count - queued;
    }
  };
  std::vector<std::thread> producers;
  for (unsigned t = 0; t < threads; ++t) producers.emplace_back(produce);
  for (auto& producer : producers) producer.join();
  return {submitted.load(), refused.load(), waits.load()};
}

}  // namespace warden::bench
