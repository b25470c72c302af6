// Telling a crashed agent from a live one by its heartbeat before taking over
// its pin directory. A crashed agent's last beat goes stale within one
// timeout; a live agent's never does. An agent restarted right after a crash
// (systemd RestartSec=1s) finds the dead one's beat still fresh, so it waits
// for it to go stale instead of refusing at once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace warden::kernel {

inline constexpr std::chrono::milliseconds kHeartbeatPoll{100};
// Beyond one timeout: scheduling delays of the dead agent's last beat.
inline constexpr std::chrono::milliseconds kHeartbeatWaitGrace{500};

// Age of the other agent's last beat; nullopt when there is no other agent
// (no pinned heartbeat, or one never written).
using HeartbeatAgeFn = std::function<std::optional<std::chrono::nanoseconds>()>;

// Injected so the waiting is testable without sleeping.
struct WaitClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::nanoseconds)> sleep;

  static WaitClock real();
};

struct HeartbeatWait {
  bool otherAlive = false;              // still fresh at the deadline: refuse
  std::chrono::nanoseconds lastAge{0};  // of the last fresh beat seen
  std::chrono::nanoseconds waited{0};
};

// Polls every kHeartbeatPoll until the other agent is gone or its beat is
// older than liveWindow, for at most liveWindow + kHeartbeatWaitGrace.
HeartbeatWait waitForStaleHeartbeat(const HeartbeatAgeFn& heartbeatAge, std::chrono::nanoseconds liveWindow,
                                    const WaitClock& clock);

}  // namespace warden::kernel
