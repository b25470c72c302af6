#include "layers/audit/sinks/sink_runner.h"

#include <unistd.h>

#include <algorithm>
#include <exception>

#include "core/log.h"

namespace warden::audit {
namespace {

using Clock = std::chrono::steady_clock;

std::shared_ptr<spdlog::logger> auditLog() { return logger("audit"); }

double seconds(std::chrono::milliseconds duration) { return static_cast<double>(duration.count()) / 1000.0; }

}  // namespace

SinkRunner::SinkRunner(std::string name, std::unique_ptr<Sink> sink, std::string spoolDir, SpoolCursors& cursors,
                       SinkRunnerOptions options)
    : name_(std::move(name)),
      sink_(std::move(sink)),
      describe_(sink_->describe()),
      spoolDir_(std::move(spoolDir)),
      cursors_(cursors),
      options_(std::move(options)),
      jitter_(std::random_device{}()) {
  if (std::optional<SpoolPosition> saved = loadCursor(spoolDir_, name_)) {
    start_ = *saved;
  } else if (::access(cursorPath(spoolDir_, name_).c_str(), F_OK) == 0) {
    auditLog()->warn(
        "audit sink {}: the cursor file {} does not read as \"<segment> <offset>\"; delivering from the "
        "oldest spooled segment (lines may be delivered twice)",
        name_, cursorPath(spoolDir_, name_));
  }
  // Published before the thread runs, so the writer keeps every segment
  // this sink has not delivered yet from the start.
  cursors_.set(name_, start_);
  status_.name = name_;
  status_.describe = describe_;
  status_.position = start_;
  thread_ = std::thread([this] { run(); });
}

SinkRunner::~SinkRunner() { stop(); }

void SinkRunner::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void SinkRunner::beginStop() {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stopAt_ = Clock::now() + options_.stopDeadline;
    }
  }
  wake_.notify_all();
}

void SinkRunner::stop() {
  beginStop();
  if (thread_.joinable()) thread_.join();
}

SinkStatus SinkRunner::status() const {
  SinkStatus copy;
  {
    std::lock_guard lock(mutex_);
    copy = status_;
  }
  copy.lagBytes = spoolBytesAfter(spoolDir_, copy.position);
  return copy;
}

bool SinkRunner::stopDeadlinePassed() const { return stopping_ && Clock::now() >= stopAt_; }

void SinkRunner::run() {
  SpoolReader reader(spoolDir_, start_, name_, options_.committed);
  SpoolPosition published = start_;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopDeadlinePassed()) return;
    }
    const SpoolPosition from = reader.position();
    Result<SpoolBatch> batch = reader.read(options_.batchEvents, options_.batchBytes);
    noteReaderCounters(reader.counters());
    if (!batch) {
      noteFailure(batch.error());
      if (!waitBackoff()) return;
      continue;
    }
    if (batch->lines.empty()) {
      bool failing = false;
      {
        std::lock_guard lock(mutex_);
        failing = status_.consecutiveFailures > 0;
      }
      if (failing) noteSuccess(0, from);  // the spool reads again
      if (batch->position != published) {
        publish(batch->position);
        published = batch->position;
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;  // caught up
      }
      waitForLines();
      continue;
    }
    if (!deliverBatch(*batch, from)) return;
    published = batch->position;
  }
}

bool SinkRunner::deliverBatch(const SpoolBatch& batch, SpoolPosition from) {
  for (;;) {
    Status delivered;
    try {
      delivered = sink_->deliver(batch.lines);
    } catch (const std::exception& e) {
      // A sink's library threw past its boundary: a failure like any other.
      delivered = Error{std::string("unexpected error: ") + e.what()};
    }
    if (delivered) {
      publish(batch.position);
      noteSuccess(batch.lines.size(), from);
      return true;
    }
    noteFailure(delivered.error());
    sink_->reset();
    if (!waitBackoff()) return false;
  }
}

void SinkRunner::publish(SpoolPosition position) {
  if (Status saved = saveCursor(spoolDir_, name_, position); !saved) {
    // Delivery goes on: a stale cursor file only means lines delivered
    // twice after a restart.
    auditLog()->error(
        "audit sink {}: {} (after a restart it would deliver some lines again; check the spool "
        "directory's space and permissions)",
        name_, saved.error().message);
  }
  cursors_.set(name_, position);
  std::lock_guard lock(mutex_);
  status_.position = position;
}

void SinkRunner::noteFailure(const Error& error) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    ++status_.failures;
    first = ++status_.consecutiveFailures == 1;
    status_.lastError = error.message;
    status_.healthy = false;
  }
  if (first) downSince_ = Clock::now();
  if (error.message != lastLoggedError_) {
    auditLog()->warn("audit sink {} ({}) failed: {}; retrying with backoff, the lines wait in the spool", name_,
                     describe_, error.message);
    lastLoggedError_ = error.message;
  }
  if (first && options_.onTrouble) options_.onTrouble(name_, describe_ + ": " + error.message);
}

void SinkRunner::noteSuccess(uint64_t lines, SpoolPosition from) {
  bool recovered = false;
  {
    std::lock_guard lock(mutex_);
    status_.deliveredLines += lines;
    recovered = status_.consecutiveFailures > 0;
    status_.consecutiveFailures = 0;
    status_.lastError.clear();
    status_.healthy = true;
  }
  if (!recovered) return;
  const auto downFor = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - downSince_);
  // Counted once per outage (it reads the spool after the position).
  const uint64_t waited = spoolLinesAfter(spoolDir_, from);
  auditLog()->info("audit sink {} ({}) delivers again after {:.1f} s down; {} line(s) had waited in the spool", name_,
                   describe_, seconds(downFor), waited);
  lastLoggedError_.clear();
  if (options_.onRecovered) options_.onRecovered(name_, downFor);
}

void SinkRunner::noteReaderCounters(const SpoolReaderCounters& counters) {
  SpoolReaderCounters before;
  {
    std::lock_guard lock(mutex_);
    before = status_.spool;
    status_.spool = counters;
  }
  if (!options_.onLoss) return;
  if (counters.skippedSegments > before.skippedSegments) {
    options_.onLoss(name_, std::to_string(counters.skippedSegments - before.skippedSegments) +
                               " spool segment(s) were deleted before the sink read them");
  }
  if (counters.lostLines > before.lostLines) {
    options_.onLoss(name_, std::to_string(counters.lostLines - before.lostLines) +
                               " spooled line(s) were lost with deleted segments");
  }
}

bool SinkRunner::waitBackoff() {
  uint64_t failures = 0;
  {
    std::lock_guard lock(mutex_);
    failures = status_.consecutiveFailures;
  }
  // initial * 2^(failures-1), capped; then a random point in its upper half,
  // so sinks that failed together do not retry together.
  auto base = options_.initialBackoff;
  for (uint64_t i = 1; i < failures && base < options_.maxBackoff; ++i) base *= 2;
  base = std::min(base, options_.maxBackoff);
  const auto half = base / 2;
  std::uniform_int_distribution<int64_t> spread(0, std::max<int64_t>(half.count(), 0));
  const auto delay = half + std::chrono::milliseconds(spread(jitter_));

  std::unique_lock lock(mutex_);
  const bool wasStopping = stopping_;
  auto until = Clock::now() + delay;
  if (stopping_) until = std::min(until, stopAt_);
  // stop() cuts a backoff short once, for one more attempt before its deadline.
  wake_.wait_until(lock, until, [&] { return stopping_ && !wasStopping; });
  return !stopDeadlinePassed();
}

void SinkRunner::waitForLines() {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, options_.pollInterval, [&] { return notified_ || stopping_; });
  notified_ = false;
}

}  // namespace warden::audit
