// Hands one worker's audit events to the event log in batches.
//
// Submitting each event on its own wakes the log's writer thread once per
// request: a futex wake on the worker and a context switch, which on a small
// machine cost more than relaying the request itself. Held for at most
// kEventFlushDelay, a busy worker's events reach the log together and the
// writer wakes once per batch.
//
// An event that must be in the spool before its response's last bytes go
// is staged instead: every event staged during one turn of the worker's
// loop is written at the end of that turn, on the worker's own thread, with
// one hold of the log's lock and one write() (EventLog::writeNow()); each
// stager resumes from written() once its event is in the segment. Under load
// many responses end in the same turn; alone, a response waits only for the
// handlers already queued before it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
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
  ~EventBatcher();  // writes what is staged, hands over what is held
  EventBatcher(const EventBatcher&) = delete;
  EventBatcher& operator=(const EventBatcher&) = delete;

  void submit(audit::Event event);
  // Stages `event` for the write at the end of this turn of the loop, after
  // the events held now (which go with it); the ticket is for written().
  uint64_t stage(audit::Event event);
  // The end-of-turn write, now: for a worker stopping, whose loop would not
  // run the write it posted.
  void writeStaged();
  // Resumes once the write that took the event staged with `ticket` is
  // done: the event is in the segment, or the log was stopped (the event is
  // then counted as dropped there).
  asio::awaitable<void> written(uint64_t ticket);
  // Hands everything held to the log now.
  void flush();

 private:
  audit::EventLog* log_;
  std::vector<audit::Event> pending_;  // submitted, not yet handed over
  std::vector<audit::Event> staged_;  // in the order they were decided
  uint64_t lastStaged_ = 0;   // tickets count up from 1
  uint64_t lastWritten_ = 0;  // every ticket up to this one is written
  bool writePosted_ = false;
  asio::steady_timer timer_;
  // Never expires: cancelled to resume everyone waiting in written().
  asio::steady_timer wrote_;
  // Whether this object still exists, for handlers that outlive it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool armed_ = false;
};

}  // namespace warden::proxy
