// Hands one worker's audit events to the event log in batches.
//
// Submitting each event on its own wakes the log's writer thread once per
// request: a futex wake on the worker and a context switch, which on a small
// machine cost more than relaying the request itself. Held for at most
// kEventFlushDelay, a busy worker's events reach the log together and the
// writer wakes once per batch.
//
// writeNow() is for an event that must be in the spool before its request's
// response completes: it is written at once, with whatever the worker holds,
// on the worker's own thread (EventLog::writeNow()).
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <chrono>
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
  // Returns once the log has written `event`, after those held; false when
  // it could not (no log, or the log is stopped: the events are counted
  // as dropped there).
  bool writeNow(audit::Event event);
  // Hands everything held to the log now.
  void flush();

 private:
  audit::EventLog* log_;
  std::vector<audit::Event> pending_;
  asio::steady_timer timer_;
  bool armed_ = false;
};

}  // namespace warden::proxy
