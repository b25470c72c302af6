#include "proxy/watchdog.h"

#include <boost/asio/steady_timer.hpp>

namespace warden::proxy {

struct Watchdog::State {
  State(const asio::any_io_executor& executor, Clock::duration p, std::function<void()> f)
      : timer(executor), period(p), deadline(Clock::now() + p), onExpire(std::move(f)) {}

  asio::steady_timer timer;
  Clock::duration period;
  Clock::time_point deadline;
  std::function<void()> onExpire;
  bool disarmed = false;
  bool fired = false;
};

// The handler owns the state, so a disarmed watchdog whose owner is gone
// still has a valid object to look at when the timer completes.
void Watchdog::arm(const std::shared_ptr<State>& state) {
  state->timer.expires_at(state->deadline);
  state->timer.async_wait([state](const boost::system::error_code&) {
    if (state->disarmed) return;
    if (Clock::now() < state->deadline) {
      arm(state);
      return;
    }
    state->fired = true;
    auto onExpire = std::move(state->onExpire);
    onExpire();
  });
}

Watchdog::Watchdog(const asio::any_io_executor& executor, Clock::duration period, std::function<void()> onExpire)
    : state_(std::make_shared<State>(executor, period, std::move(onExpire))) {
  arm(state_);
}

Watchdog::~Watchdog() {
  state_->disarmed = true;
  state_->onExpire = nullptr;
  state_->timer.cancel();
}

void Watchdog::touch() { state_->deadline = Clock::now() + state_->period; }

bool Watchdog::expired() const { return state_->fired; }

}  // namespace warden::proxy
