// Fires once when a deadline passes without activity: the proxy's timeouts
// (ClientHello, connect, idle) close the sockets of a stalled connection so
// its coroutine wakes up with an error instead of waiting forever.
//
// touch() only moves the deadline; the timer re-arms lazily when it fires
// early, so marking activity on every read costs nothing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "proxy/net_types.h"

namespace warden::proxy {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  Watchdog(const asio::any_io_executor& executor, Clock::duration period, std::function<void()> onExpire);
  ~Watchdog();  // disarms: onExpire is never called after this
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void touch();
  bool expired() const;

 private:
  struct State;
  static void arm(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace warden::proxy
