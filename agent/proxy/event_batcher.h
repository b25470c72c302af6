// Hands one worker's audit events to the event log in batches.
//
// Submitting each event on its own wakes the log's writer thread once per
// request: a futex wake on the worker and a context switch, which on a small
// machine cost more than relaying the request itself. Held for at most
// kEventFlushDelay, a busy worker's events reach the log together and the
// writer wakes once per batch.
//
// append() is for an event that must be in the spool before its request's
// response completes: it goes at once, with whatever the worker holds, and
// the caller resumes when the log wrote it. Under load the writer is already
// busy, so the events of many such callers still share one write.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "layers/audit/event.h"
#include "proxy/net_types.h"

namespace warden::audit {
class EventLog;
}

namespace warden::proxy {

inline constexpr auto kEventFlushDelay = std::chrono::milliseconds(2);
inline constexpr size_t kEventBatchMax = 256;

// Used by its worker's thread only.
class EventBatcher {
 public:
  // `log` may be null (tests): events are then dropped.
  EventBatcher(const asio::any_io_executor& executor, audit::EventLog* log);
  ~EventBatcher();  // flushes
  EventBatcher(const EventBatcher&) = delete;
  EventBatcher& operator=(const EventBatcher&) = delete;

  void submit(audit::Event event);
  // Resumes once the log has written `event` (see EventLog::submitBatch).
  asio::awaitable<void> append(audit::Event event);
  // Hands everything held to the log now.
  void flush();

 private:
  // What the log's writer thread holds to reach this worker: posting to a
  // worker that is gone would touch a destroyed event loop.
  struct Lifeline;
  using Waiter = asio::any_completion_handler<void()>;

  void resumeUpTo(uint64_t ticket);

  audit::EventLog* log_;
  std::vector<audit::Event> pending_;
  asio::steady_timer timer_;
  bool armed_ = false;
  std::shared_ptr<Lifeline> lifeline_;
  uint64_t tickets_ = 0;
  // Callers of append() waiting for the log, by ticket, in order. A deque:
  // its elements never move, and a Waiter must not be copied (its template
  // constructor would wrap the copy in another layer instead).
  std::deque<std::pair<uint64_t, Waiter>> waiters_;
};

}  // namespace warden::proxy
