// Calendar time, replaceable so tests can drive minute and day windows
// without sleeping. (identity/clock.h is the steady clock for cache expiry;
// budget windows follow the UTC calendar, which needs the system clock.)
#pragma once

#include <chrono>
#include <functional>

namespace warden {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

inline WallClock systemWallClock() {
  return [] { return std::chrono::system_clock::now(); };
}

}  // namespace warden
