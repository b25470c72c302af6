#include "kernel/heartbeat_wait.h"

#include <algorithm>
#include <thread>

namespace warden::kernel {

WaitClock WaitClock::real() {
  return {[] { return std::chrono::steady_clock::now(); },
          [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }};
}

HeartbeatWait waitForStaleHeartbeat(const HeartbeatAgeFn& heartbeatAge, std::chrono::nanoseconds liveWindow,
                                    const WaitClock& clock) {
  const auto start = clock.now();
  const auto deadline = start + liveWindow + kHeartbeatWaitGrace;
  HeartbeatWait result;
  for (;;) {
    const auto age = heartbeatAge();
    const auto now = clock.now();
    result.waited = now - start;
    if (!age || *age > liveWindow) {
      result.otherAlive = false;
      return result;
    }
    result.lastAge = *age;
    if (now >= deadline) {
      result.otherAlive = true;
      return result;
    }
    clock.sleep(std::min<std::chrono::nanoseconds>(kHeartbeatPoll, deadline - now));
  }
}

}  // namespace warden::kernel
