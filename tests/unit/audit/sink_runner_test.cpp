#include "layers/audit/sinks/sink_runner.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "sink_test_support.h"

namespace warden::audit {
namespace {

using namespace std::chrono_literals;
using test::SpoolWriter;
using test::TempDir;
using Clock = std::chrono::steady_clock;

// What a scripted sink saw; shared with the test because the runner owns the sink.
struct SinkLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> received;  // lines of successful deliveries, in order
  std::vector<Clock::time_point> attempts;
  int resets = 0;
  // Decides each attempt (1-based): "" = success, otherwise the error.
  std::function<std::string(int attempt)> outcome = [](int) { return std::string(); };

  size_t receivedCount() {
    std::lock_guard lock(mutex);
    return received.size();
  }
  // Waits until `done` holds (checked under the lock) or `timeout` passes.
  bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, done);
  }
};

class ScriptedSink final : public Sink {
 public:
  explicit ScriptedSink(std::shared_ptr<SinkLog> log) : log_(std::move(log)) {}
  Status deliver(std::span<const std::string_view> lines) override {
    std::lock_guard lock(log_->mutex);
    log_->attempts.push_back(Clock::now());
    const std::string error = log_->outcome(static_cast<int>(log_->attempts.size()));
    log_->changed.notify_all();
    if (!error.empty()) return Error{error};
    for (std::string_view line : lines) log_->received.emplace_back(line);
    return {};
  }
  void reset() override {
    std::lock_guard lock(log_->mutex);
    ++log_->resets;
  }
  std::string describe() const override { return "scripted test sink"; }

 private:
  std::shared_ptr<SinkLog> log_;
};

SinkRunnerOptions fastOptions() {
  SinkRunnerOptions options;
  options.batchEvents = 40;
  options.initialBackoff = 1ms;
  options.maxBackoff = 8ms;
  options.pollInterval = 20ms;
  options.stopDeadline = 500ms;
  return options;
}

std::unique_ptr<Sink> scripted(const std::shared_ptr<SinkLog>& log) { return std::make_unique<ScriptedSink>(log); }

SpoolPosition endOf(const std::string& dir, uint64_t segment) {
  return {segment, std::filesystem::file_size(segmentPath(dir, segment))};
}

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(SinkRunnerTest, ASinkFailingThenRecoveringGetsEveryLineOnceInOrder) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto all = concat({writer.append(1, 100), writer.append(2, 100), writer.append(3, 50)});
  auto log = std::make_shared<SinkLog>();
  log->outcome = [](int attempt) { return attempt <= 5 ? std::string("receiver down") : std::string(); };
  SpoolCursors cursors;
  std::atomic<int> troubles{0}, recoveries{0};
  std::string troubleMessage;
  SinkRunnerOptions options = fastOptions();
  options.onTrouble = [&](const std::string& name, const std::string& message) {
    EXPECT_EQ(name, "siem");
    troubleMessage = message;
    ++troubles;
  };
  options.onRecovered = [&](const std::string&, std::chrono::milliseconds) { ++recoveries; };

  SinkRunner runner("siem", scripted(log), dir.path(), cursors, options);
  ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= all.size(); }));
  runner.stop();

  EXPECT_EQ(log->received, all);
  EXPECT_EQ(troubles.load(), 1);
  EXPECT_EQ(recoveries.load(), 1);
  EXPECT_EQ(troubleMessage, "scripted test sink: receiver down");
  EXPECT_GE(log->resets, 5);
  const SinkStatus status = runner.status();
  EXPECT_EQ(status.name, "siem");
  EXPECT_EQ(status.describe, "scripted test sink");
  EXPECT_EQ(status.deliveredLines, all.size());
  EXPECT_EQ(status.failures, 5u);
  EXPECT_EQ(status.consecutiveFailures, 0u);
  EXPECT_TRUE(status.healthy);
  EXPECT_EQ(status.lastError, "");
  EXPECT_EQ(status.position, endOf(dir.path(), 3));
  EXPECT_EQ(status.lagBytes, 0u);
  EXPECT_EQ(loadCursor(dir.path(), "siem"), endOf(dir.path(), 3));
  EXPECT_EQ(cursors.all().at("siem"), endOf(dir.path(), 3));
}

TEST(SinkRunnerTest, TheSavedCursorIsResumedByANewRunner) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 30);
  SpoolCursors cursors;
  {
    auto log = std::make_shared<SinkLog>();
    SinkRunner runner("file", scripted(log), dir.path(), cursors, fastOptions());
    ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= first.size(); }));
    runner.stop();
    EXPECT_EQ(log->received, first);
  }
  const SpoolPosition saved = endOf(dir.path(), 1);
  EXPECT_EQ(loadCursor(dir.path(), "file"), saved);

  const auto second = concat({writer.append(1, 5), writer.append(2, 15)});
  auto log = std::make_shared<SinkLog>();
  SpoolCursors fresh;
  SinkRunner runner("file", scripted(log), dir.path(), fresh, fastOptions());
  // Published before the thread delivers anything.
  EXPECT_EQ(fresh.all().at("file"), saved);
  ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= second.size(); }));
  runner.stop();
  EXPECT_EQ(log->received, second);
}

TEST(SinkRunnerTest, NothingIsLostWhileTheSinkIsDownAndTheWriterRotates) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  auto log = std::make_shared<SinkLog>();
  std::atomic<bool> down{true};
  log->outcome = [&](int) { return down ? std::string("connection refused") : std::string(); };
  SpoolCursors cursors;
  SinkRunnerOptions options = fastOptions();
  options.maxBackoff = 20ms;
  SinkRunner runner("http", scripted(log), dir.path(), cursors, options);

  std::vector<std::string> all;
  for (uint64_t segment = 1; segment <= 4; ++segment) {
    for (int burst = 0; burst < 5; ++burst) {
      const auto lines = writer.append(segment, 7);
      all.insert(all.end(), lines.begin(), lines.end());
      runner.notify();
      std::this_thread::sleep_for(5ms);
    }
  }
  EXPECT_EQ(log->receivedCount(), 0u);
  EXPECT_FALSE(runner.status().healthy);
  EXPECT_EQ(runner.status().lastError, "connection refused");
  EXPECT_GT(runner.status().lagBytes, 0u);
  down = false;
  ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= all.size(); }));
  runner.stop();
  EXPECT_EQ(log->received, all);
  EXPECT_TRUE(runner.status().healthy);
  EXPECT_EQ(runner.status().lagBytes, 0u);
}

TEST(SinkRunnerTest, NotifyWakesTheRunnerBeforeItsPollInterval) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  auto log = std::make_shared<SinkLog>();
  SpoolCursors cursors;
  SinkRunnerOptions options = fastOptions();
  options.pollInterval = 60s;
  SinkRunner runner("n", scripted(log), dir.path(), cursors, options);
  std::this_thread::sleep_for(50ms);  // the runner found nothing and sleeps
  const auto lines = writer.append(1, 3);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(log->receivedCount(), 0u);
  runner.notify();
  ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= 3; }, 1s));
  EXPECT_EQ(log->received, lines);
}

TEST(SinkRunnerTest, StopDeliversWhatIsAlreadySpooled) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  auto log = std::make_shared<SinkLog>();
  SpoolCursors cursors;
  SinkRunnerOptions options = fastOptions();
  options.pollInterval = 60s;
  SinkRunner runner("s", scripted(log), dir.path(), cursors, options);
  std::this_thread::sleep_for(50ms);
  const auto lines = concat({writer.append(1, 100), writer.append(2, 100)});
  runner.stop();  // no notify(): stop() itself delivers them
  EXPECT_EQ(log->received, lines);
  EXPECT_EQ(loadCursor(dir.path(), "s"), endOf(dir.path(), 2));
}

// A sink that fails every delivery.
std::shared_ptr<SinkLog> downSink() {
  auto log = std::make_shared<SinkLog>();
  log->outcome = [](int) { return std::string("still down"); };
  return log;
}

// Retrying a down sink every `backoff`, giving up `stopDeadline` after stop.
SinkRunnerOptions retryingEvery(std::chrono::milliseconds backoff, std::chrono::milliseconds stopDeadline) {
  SinkRunnerOptions options = fastOptions();
  options.initialBackoff = backoff;
  options.maxBackoff = backoff;
  options.stopDeadline = stopDeadline;
  return options;
}

TEST(SinkRunnerTest, StopGivesUpAtItsDeadlineWhileTheSinkStaysDown) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  writer.append(1, 10);
  auto log = downSink();
  SpoolCursors cursors;
  const SinkRunnerOptions options = retryingEvery(50ms, 200ms);
  SinkRunner runner("down", scripted(log), dir.path(), cursors, options);
  EXPECT_EQ(cursors.all().at("down"), (SpoolPosition{0, 0}));
  ASSERT_TRUE(log->waitFor([&] { return log->attempts.size() >= 2; }));
  const auto start = Clock::now();
  runner.stop();
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_TRUE(log->received.empty());
  EXPECT_EQ(loadCursor(dir.path(), "down"), std::nullopt);
  const SinkStatus status = runner.status();
  EXPECT_FALSE(status.healthy);
  EXPECT_EQ(status.consecutiveFailures, status.failures);
  EXPECT_EQ(status.position, (SpoolPosition{0, 0}));
  EXPECT_EQ(status.lagBytes, std::filesystem::file_size(segmentPath(dir.path(), 1)));
}

// The agent's stop tells every runner first, then waits for each: their
// deadlines run side by side, so the stop takes one deadline, not the sum.
TEST(SinkRunnerTest, RunnersToldToStopTogetherSpendTheirDeadlinesSideBySide) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  writer.append(1, 10);
  auto log = downSink();
  SpoolCursors cursors;
  const SinkRunnerOptions options = retryingEvery(20ms, 1000ms);
  SinkRunner first("first", scripted(log), dir.path(), cursors, options);
  SinkRunner second("second", scripted(log), dir.path(), cursors, options);
  ASSERT_TRUE(log->waitFor([&] { return log->attempts.size() >= 4; }));
  const auto start = Clock::now();
  first.beginStop();
  second.beginStop();
  first.stop();
  second.stop();
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 900ms) << "each runner kept trying until its deadline";
  EXPECT_LT(took, 1800ms) << "one after the other would take two deadlines";
  EXPECT_TRUE(log->received.empty());
}

TEST(SinkRunnerTest, BackoffGrowsExponentiallyWithJitterUpToItsCap) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  writer.append(1, 1);
  auto log = std::make_shared<SinkLog>();
  log->outcome = [](int attempt) { return attempt <= 6 ? std::string("down") : std::string(); };
  SpoolCursors cursors;
  SinkRunnerOptions options = fastOptions();
  options.initialBackoff = 20ms;
  options.maxBackoff = 80ms;
  SinkRunner runner("b", scripted(log), dir.path(), cursors, options);
  ASSERT_TRUE(log->waitFor([&] { return !log->received.empty(); }));
  runner.stop();
  ASSERT_EQ(log->attempts.size(), 7u);
  // Before attempt k+1: a point in the upper half of min(20 ms * 2^(k-1), 80 ms).
  const std::vector<std::chrono::milliseconds> atLeast{10ms, 20ms, 40ms, 40ms, 40ms, 40ms};
  std::chrono::milliseconds total{0};
  for (size_t k = 0; k < atLeast.size(); ++k) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(log->attempts[k + 1] - log->attempts[k]);
    EXPECT_GE(gap, atLeast[k]) << "before attempt " << k + 2;
    total += gap;
  }
  EXPECT_LT(total, 2s);
}

TEST(SinkRunnerTest, EachDistinctErrorIsLoggedOnceAndTheRecoveryOnce) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  writer.append(1, 2);
  auto captured = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
  auto auditLogger = logger("audit");
  const auto levelBefore = auditLogger->level();
  auditLogger->set_level(spdlog::level::info);
  auditLogger->sinks().push_back(captured);
  auto log = std::make_shared<SinkLog>();
  log->outcome = [](int attempt) {
    if (attempt <= 3) return std::string("error A");
    if (attempt <= 6) return std::string("error B");
    return std::string();
  };
  SpoolCursors cursors;
  std::atomic<int> troubles{0};
  SinkRunnerOptions options = fastOptions();
  options.onTrouble = [&](const std::string&, const std::string&) { ++troubles; };
  {
    SinkRunner runner("logged", scripted(log), dir.path(), cursors, options);
    ASSERT_TRUE(log->waitFor([&] { return !log->received.empty(); }));
  }
  auditLogger->sinks().pop_back();
  auditLogger->set_level(levelBefore);

  int errorA = 0, errorB = 0, recovered = 0;
  for (const std::string& line : captured->last_formatted()) {
    if (line.find("failed: error A") != std::string::npos) ++errorA;
    if (line.find("failed: error B") != std::string::npos) ++errorB;
    if (line.find("logged (scripted test sink) delivers again") != std::string::npos) ++recovered;
  }
  EXPECT_EQ(errorA, 1);
  EXPECT_EQ(errorB, 1);
  EXPECT_EQ(recovered, 1);
  EXPECT_EQ(troubles.load(), 1);
}

TEST(SinkRunnerTest, SegmentsDeletedWhileTheSinkWasDownAreReportedAsLost) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 5);
  writer.append(2, 6);
  const auto third = writer.append(3, 4);
  auto log = std::make_shared<SinkLog>();
  std::atomic<bool> down{true};
  log->outcome = [&](int) { return down ? std::string("down") : std::string(); };
  SpoolCursors cursors;
  std::mutex lossMutex;
  std::vector<std::string> losses;
  SinkRunnerOptions options = fastOptions();
  options.batchEvents = 100;
  options.onLoss = [&](const std::string& name, const std::string& message) {
    std::lock_guard lock(lossMutex);
    losses.push_back(name + ": " + message);
  };
  SinkRunner runner("lossy", scripted(log), dir.path(), cursors, options);
  ASSERT_TRUE(log->waitFor([&] { return log->attempts.size() >= 2; }));
  // The spool went over its bound: the writer gave up segment 2.
  std::filesystem::remove(segmentPath(dir.path(), 2));
  down = false;
  ASSERT_TRUE(log->waitFor([&] { return log->received.size() >= first.size() + third.size(); }));
  runner.stop();
  EXPECT_EQ(log->received, concat({first, third}));
  const SinkStatus status = runner.status();
  EXPECT_EQ(status.spool.skippedSegments, 1u);
  EXPECT_EQ(status.spool.lostLines, 6u);
  std::lock_guard lock(lossMutex);
  EXPECT_EQ(losses, (std::vector<std::string>{"lossy: 1 spool segment(s) were deleted before the sink read them",
                                              "lossy: 6 spooled line(s) were lost with deleted segments"}));
}

}  // namespace
}  // namespace warden::audit
