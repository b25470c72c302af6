#include "kernel/heartbeat_wait.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace warden::kernel {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

// A clock that only moves when the code under test sleeps.
class FakeTime {
 public:
  WaitClock clock() {
    return {[this] { return std::chrono::steady_clock::time_point(now_); },
            [this](nanoseconds d) {
              now_ += d;
              ++sleeps_;
            }};
  }
  nanoseconds now() const { return now_; }
  int sleeps() const { return sleeps_; }

 private:
  nanoseconds now_{10s};
  int sleeps_ = 0;
};

constexpr nanoseconds kWindow = 1s;

TEST(WaitForStaleHeartbeat, NoOtherAgentDoesNotWait) {
  FakeTime time;
  auto wait = waitForStaleHeartbeat([] { return std::optional<nanoseconds>(); }, kWindow, time.clock());
  EXPECT_FALSE(wait.otherAlive);
  EXPECT_EQ(wait.waited, 0ns);
  EXPECT_EQ(time.sleeps(), 0);
}

TEST(WaitForStaleHeartbeat, AlreadyStaleDoesNotWait) {
  FakeTime time;
  auto wait = waitForStaleHeartbeat([] { return std::optional<nanoseconds>(1500ms); }, kWindow, time.clock());
  EXPECT_FALSE(wait.otherAlive);
  EXPECT_EQ(time.sleeps(), 0);
}

TEST(WaitForStaleHeartbeat, CrashedAgentIsTakenOverOnceItsBeatIsStale) {
  FakeTime time;
  const nanoseconds lastBeat = time.now() - 200ms;  // crashed 200 ms ago
  auto age = [&] { return std::optional<nanoseconds>(time.now() - lastBeat); };
  auto wait = waitForStaleHeartbeat(age, kWindow, time.clock());
  EXPECT_FALSE(wait.otherAlive);
  // Stale once older than the window: 800 ms more, seen at the next 100 ms poll.
  EXPECT_GT(wait.waited, 800ms);
  EXPECT_LE(wait.waited, 900ms);
  EXPECT_EQ(time.sleeps(), 9);
}

TEST(WaitForStaleHeartbeat, LiveAgentIsRefusedAfterWindowPlusGrace) {
  FakeTime time;
  const nanoseconds start = time.now();
  // Beats every 250 ms, like an agent with interval < timeout.
  auto age = [&] { return std::optional<nanoseconds>((time.now() - start) % 250ms); };
  auto wait = waitForStaleHeartbeat(age, kWindow, time.clock());
  EXPECT_TRUE(wait.otherAlive);
  EXPECT_EQ(wait.waited, kWindow + kHeartbeatWaitGrace);
  EXPECT_LT(wait.lastAge, kWindow);
  EXPECT_EQ(time.sleeps(), 15);  // 1.5 s in 100 ms polls
}

TEST(WaitForStaleHeartbeat, AgentThatStopsCleanlyMidWaitIsTakenOver) {
  FakeTime time;
  const nanoseconds start = time.now();
  // Its pins disappear after 300 ms (clean shutdown removes them).
  auto age = [&]() -> std::optional<nanoseconds> {
    if (time.now() - start >= 300ms) return std::nullopt;
    return 10ms;
  };
  auto wait = waitForStaleHeartbeat(age, kWindow, time.clock());
  EXPECT_FALSE(wait.otherAlive);
  EXPECT_EQ(wait.waited, 300ms);
}

}  // namespace
}  // namespace warden::kernel
