// The time source of the identity caches, replaceable so tests drive expiry
// without sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace warden::identity {

using SteadyClock = std::chrono::steady_clock;
using ClockFunction = std::function<SteadyClock::time_point()>;

inline ClockFunction realClock() {
  return [] { return SteadyClock::now(); };
}

}  // namespace warden::identity
