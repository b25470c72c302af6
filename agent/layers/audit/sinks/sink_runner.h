// Feeds one sink from its own cursor into the audit spool, on its own
// thread, so a slow or broken sink delays no other sink and never the
// request path.
//
// The thread reads a batch after the cursor, delivers it, and only then
// saves the cursor (spool_layout.h) and publishes it in SpoolCursors (the
// writer deletes no segment a sink still needs). A failed batch is retried
// as it is, forever, after an exponential backoff with jitter: the lines
// wait in the spool, nothing is dropped. Delivery is at least once: a crash
// between delivery and the cursor's save sends a batch again, and each
// event line's "id" lets the receiver de-duplicate.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "layers/audit/sinks/sink.h"
#include "layers/audit/sinks/spool_reader.h"
#include "layers/audit/spool_layout.h"

namespace warden::audit {

struct SinkRunnerOptions {
  uint32_t batchEvents = 500;           // lines per deliver() at most (SinkConfig::batchEvents)
  size_t batchBytes = size_t{1} << 20;  // and about this many bytes (a longer line goes alone)
  std::chrono::milliseconds initialBackoff{250};
  std::chrono::milliseconds maxBackoff{30000};
  std::chrono::milliseconds pollInterval{200};   // looks for new lines this often without notify()
  std::chrono::milliseconds stopDeadline{2000};  // stop() delivers what is spooled for this long

  // Called on the runner's thread, once when the sink starts failing and
  // once when it delivers again; keep them short, and do not stop the
  // runner from them.
  std::function<void(const std::string& name, const std::string& message)> onTrouble;
  std::function<void(const std::string& name, std::chrono::milliseconds downFor)> onRecovered;
  // Spooled lines the sink will never get (segments deleted before it read
  // them); `message` says how many.
  std::function<void(const std::string& name, const std::string& message)> onLoss;
  // The spool writer's final end (SpoolReader); null: read segments to their end.
  std::shared_ptr<const SpoolCommitted> committed;
};

struct SinkStatus {
  std::string name;
  std::string describe;
  uint64_t deliveredLines = 0;
  uint64_t failures = 0;             // failed deliveries (and spool read errors), all told
  uint64_t consecutiveFailures = 0;  // since the last success
  std::string lastError;             // "" once it delivers again
  SpoolPosition position;            // the first line not yet delivered
  bool healthy = true;
  uint64_t lagBytes = 0;      // spooled bytes after position
  SpoolReaderCounters spool;  // what the reader skipped
};

class SinkRunner {
 public:
  // Loads the sink's saved cursor and publishes it in `cursors` before the
  // thread starts.
  SinkRunner(std::string name, std::unique_ptr<Sink> sink, std::string spoolDir, SpoolCursors& cursors,
             SinkRunnerOptions options = {});
  ~SinkRunner();  // stop()
  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;

  // New lines are in the spool. Cheap; callable from any thread.
  void notify();
  // Delivers what is spooled until the runner has caught up or the stop
  // deadline has passed, then ends the thread. A deliver() under way is
  // waited for (the sink's own timeout bounds it). The cursor stays in
  // SpoolCursors: remove it there when the sink leaves the configuration.
  void stop();
  // The start of stop() without the wait: the deadline starts now. Several
  // runners told first, then stopped, spend their deadlines side by side.
  void beginStop();

  SinkStatus status() const;  // thread-safe
  const std::string& name() const { return name_; }

 private:
  void run();
  // Delivers one batch, retrying until it succeeds; false when the stop
  // deadline passed first.
  bool deliverBatch(const SpoolBatch& batch, SpoolPosition from);
  void noteFailure(const Error& error);
  // `from`: where the delivered lines started (for the recovery log).
  void noteSuccess(uint64_t lines, SpoolPosition from);
  void noteReaderCounters(const SpoolReaderCounters& counters);
  void publish(SpoolPosition position);
  // Sleeps the backoff for the current run of failures; false when the stop
  // deadline passed.
  bool waitBackoff();
  // Waits for notify(), stop() or the poll interval.
  void waitForLines();
  bool stopDeadlinePassed() const;  // with mutex_ held

  const std::string name_;
  const std::unique_ptr<Sink> sink_;
  const std::string describe_;
  const std::string spoolDir_;
  SpoolCursors& cursors_;
  const SinkRunnerOptions options_;
  SpoolPosition start_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool notified_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stopAt_;
  SinkStatus status_;  // under mutex_, apart from name and describe

  // Runner thread only.
  std::string lastLoggedError_;
  std::chrono::steady_clock::time_point downSince_;
  std::minstd_rand jitter_;
  std::thread thread_;
};

}  // namespace warden::audit
