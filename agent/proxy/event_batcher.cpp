#include "proxy/event_batcher.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <mutex>

#include "layers/audit/event_log.h"

namespace warden::proxy {

struct EventBatcher::Lifeline {
  Lifeline(EventBatcher* b, asio::any_io_executor e) : batcher(b), executor(std::move(e)) {}
  std::mutex mutex;
  EventBatcher* batcher;  // null once the batcher is gone
  asio::any_io_executor executor;
};

EventBatcher::EventBatcher(const asio::any_io_executor& executor, audit::EventLog* log)
    : log_(log), timer_(executor), lifeline_(std::make_shared<Lifeline>(this, executor)) {}

EventBatcher::~EventBatcher() {
  flush();
  {
    std::lock_guard lock(lifeline_->mutex);
    lifeline_->batcher = nullptr;
  }
  // Callers still waiting are dropped with the worker's other coroutines:
  // their connections are being torn down, and their events are queued.
  auto waiters = std::move(waiters_);
  waiters_.clear();
}

asio::awaitable<void> EventBatcher::append(audit::Event event) {
  if (log_ == nullptr) co_return;
  pending_.push_back(std::move(event));
  const uint64_t ticket = ++tickets_;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this, ticket](Waiter waiter) {
        waiters_.emplace_back(ticket, std::move(waiter));
        // Called on the log's writer thread (or here, when nothing could be queued).
        log_->submitBatch(pending_, [lifeline = lifeline_, ticket] {
          std::lock_guard lock(lifeline->mutex);
          if (lifeline->batcher == nullptr) return;
          asio::post(lifeline->executor, [lifeline, ticket] {
            // On the worker's thread, which alone destroys the batcher.
            if (lifeline->batcher != nullptr) lifeline->batcher->resumeUpTo(ticket);
          });
        });
      },
      asio::use_awaitable);
}

void EventBatcher::resumeUpTo(uint64_t ticket) {
  // The log writes in order, so every earlier ticket is written too. Taken
  // out before it resumes: the caller may append again at once.
  while (!waiters_.empty() && waiters_.front().first <= ticket) {
    Waiter waiter = std::move(waiters_.front().second);
    waiters_.pop_front();
    std::move(waiter)();
  }
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
