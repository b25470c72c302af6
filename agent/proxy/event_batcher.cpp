#include "proxy/event_batcher.h"

#include <boost/asio/post.hpp>

#include "layers/audit/event_log.h"

namespace warden::proxy {

EventBatcher::EventBatcher(const asio::any_io_executor& executor, audit::EventLog* log)
    : log_(log), timer_(executor), wrote_(executor, asio::steady_timer::time_point::max()) {}

EventBatcher::~EventBatcher() {
  *alive_ = false;
  if (!staged_.empty()) writeStaged();
  flush();
}

uint64_t EventBatcher::stage(audit::Event event) {
  if (log_ == nullptr) return lastWritten_;  // nothing to wait for: dropped
  // The held events were decided first: they go first, in the same write.
  staged_.insert(staged_.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  pending_.clear();
  staged_.push_back(std::move(event));
  ++lastStaged_;
  if (!writePosted_) {
    writePosted_ = true;
    // Posted: it runs after the handlers already queued, which may stage more.
    asio::post(timer_.get_executor(), [this, alive = alive_] {
      if (*alive) writeStaged();
    });
  }
  return lastStaged_;
}

void EventBatcher::writeStaged() {
  writePosted_ = false;
  if (!staged_.empty()) log_->writeNow(staged_);
  lastWritten_ = lastStaged_;
  wrote_.cancel();
}

asio::awaitable<void> EventBatcher::written(uint64_t ticket) {
  const auto alive = alive_;
  while (*alive && lastWritten_ < ticket) co_await wrote_.async_wait(kUseTuple);
}

void EventBatcher::submit(audit::Event event) {
  if (log_ == nullptr) return;
  pending_.push_back(std::move(event));
  if (pending_.size() >= kEventBatchMax) {
    flush();
    return;
  }
  if (armed_) return;
  armed_ = true;
  timer_.expires_after(kEventFlushDelay);
  // The timer is cancelled (and the handler then sees operation_aborted)
  // only by this object's destructor, after its own final flush.
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    armed_ = false;
    flush();
  });
}

void EventBatcher::flush() {
  // A flush before the timer fired leaves it armed; its later flush finds
  // nothing or the next events, which is just as good.
  // One lock and one wakeup of the log's writer per batch, not per event.
  if (!pending_.empty()) log_->submitBatch(pending_);
}

}  // namespace warden::proxy
