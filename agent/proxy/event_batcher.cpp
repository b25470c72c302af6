#include "proxy/event_batcher.h"

#include "layers/audit/event_log.h"

namespace warden::proxy {

EventBatcher::EventBatcher(const asio::any_io_executor& executor, audit::EventLog* log)
    : log_(log), timer_(executor) {}

EventBatcher::~EventBatcher() { flush(); }

bool EventBatcher::writeNow(audit::Event event) {
  if (log_ == nullptr) return false;
  pending_.push_back(std::move(event));
  return log_->writeNow(pending_);
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
