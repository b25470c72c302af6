// A worker's audit events reach the event log in batches: held briefly,
// handed over when the delay passes, when a batch is full, or when the
// worker goes away; staged ones are written at the end of the loop's turn,
// before their stagers go on; none is lost or duplicated.
#include <gtest/gtest.h>

#include "../audit/spool_test_support.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "layers/audit/event_log.h"
#include "proxy/event_batcher.h"
#include "proxy_test_support.h"

namespace warden::proxy::test {
namespace {

class EventBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = audit::EventLog::open(audit::testing::spoolIn(dir_.path()));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    log_ = std::move(opened.value());
  }

  static audit::Event requestEvent(const std::string& path) {
    audit::Event event;
    event.type = audit::EventType::Request;
    event.method = "POST";
    event.path = path;
    return event;
  }

  // Lines in the file once the log has drained (it is closed for that).
  std::vector<std::string> closeAndReadLines() {
    const std::string path = audit::segmentPath(log_->dir(), 1);
    log_.reset();
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  TempDir dir_;
  std::unique_ptr<audit::EventLog> log_;
  asio::io_context io_;
};

TEST_F(EventBatcherTest, HoldsEventsUntilTheFlushDelayHasPassed) {
  EventBatcher batcher(io_.get_executor(), log_.get());
  batcher.submit(requestEvent("/a"));
  batcher.submit(requestEvent("/b"));
  batcher.submit(requestEvent("/c"));
  // The worker's loop has not run: nothing has been handed over yet.
  std::this_thread::sleep_for(kEventFlushDelay * 5);
  EXPECT_EQ(log_->written(), 0u);

  io_.run_for(kEventFlushDelay * 10);
  EXPECT_TRUE(eventually([&] { return log_->written() == 3; }));
  const auto lines = closeAndReadLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"/a\""), std::string::npos);
  EXPECT_NE(lines[2].find("\"/c\""), std::string::npos);
}

TEST_F(EventBatcherTest, AFullBatchLeavesAtOnce) {
  EventBatcher batcher(io_.get_executor(), log_.get());
  for (size_t i = 0; i < kEventBatchMax; ++i) batcher.submit(requestEvent("/" + std::to_string(i)));
  // Without the loop running, only the size limit can have handed them over.
  EXPECT_TRUE(eventually([&] { return log_->written() == kEventBatchMax; }));
}

TEST_F(EventBatcherTest, KeepsBatchingAfterAFlush) {
  EventBatcher batcher(io_.get_executor(), log_.get());
  batcher.submit(requestEvent("/first"));
  io_.run_for(kEventFlushDelay * 10);
  EXPECT_TRUE(eventually([&] { return log_->written() == 1; }));
  io_.restart();
  batcher.submit(requestEvent("/second"));
  io_.run_for(kEventFlushDelay * 10);
  EXPECT_TRUE(eventually([&] { return log_->written() == 2; }));
}

TEST_F(EventBatcherTest, HandsOverWhatItHoldsWhenDestroyed) {
  {
    EventBatcher batcher(io_.get_executor(), log_.get());
    batcher.submit(requestEvent("/last"));
    batcher.submit(requestEvent("/words"));
  }
  io_.run_for(kEventFlushDelay * 5);  // the cancelled timer must not flush again
  const auto lines = closeAndReadLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("\"/words\""), std::string::npos);
}

TEST_F(EventBatcherTest, EventsStagedInOneTurnAreWrittenTogetherAtItsEndAfterTheHeldOnes) {
  EventBatcher batcher(io_.get_executor(), log_.get());
  batcher.submit(requestEvent("/held"));
  std::vector<size_t> linesWhenResumed;  // one entry per stager
  std::vector<std::string> spooledWhenResumed;
  auto commit = [&](std::string path) -> asio::awaitable<void> {
    const uint64_t ticket = batcher.stage(requestEvent(path));
    co_await batcher.written(ticket);
    spooledWhenResumed = audit::testing::spoolLines(log_->dir());
    linesWhenResumed.push_back(spooledWhenResumed.size());
  };
  asio::co_spawn(io_, commit("/first"), asio::detached);
  asio::co_spawn(io_, commit("/second"), asio::detached);
  EXPECT_TRUE(audit::testing::spoolLines(log_->dir()).empty()) << "nothing is written before the loop runs";
  io_.poll();
  // The first to resume already finds all three: one write took them together.
  EXPECT_EQ(linesWhenResumed, (std::vector<size_t>{3, 3}));
  ASSERT_EQ(spooledWhenResumed.size(), 3u);
  EXPECT_NE(spooledWhenResumed[0].find("\"/held\""), std::string::npos);
  EXPECT_NE(spooledWhenResumed[1].find("\"/first\""), std::string::npos);
  EXPECT_NE(spooledWhenResumed[2].find("\"/second\""), std::string::npos);
  io_.run_for(kEventFlushDelay * 5);  // the held event's timer finds nothing left
  EXPECT_EQ(closeAndReadLines().size(), 3u);
}

TEST_F(EventBatcherTest, AWaitForAnEventAlreadyWrittenReturnsAtOnce) {
  EventBatcher batcher(io_.get_executor(), log_.get());
  const uint64_t ticket = batcher.stage(requestEvent("/early"));
  io_.poll();
  io_.restart();
  EXPECT_EQ(audit::testing::spoolLines(log_->dir()).size(), 1u);
  bool resumed = false;
  auto wait = [&]() -> asio::awaitable<void> {
    co_await batcher.written(ticket);
    resumed = true;
  };
  asio::co_spawn(io_, wait(), asio::detached);
  io_.poll();
  EXPECT_TRUE(resumed);
}

TEST_F(EventBatcherTest, StagedEventsAreWrittenWhenTheWorkerGoesAwayFirst) {
  {
    EventBatcher batcher(io_.get_executor(), log_.get());
    batcher.submit(requestEvent("/held"));
    batcher.stage(requestEvent("/staged"));
  }
  const auto spooled = audit::testing::spoolLines(log_->dir());
  ASSERT_EQ(spooled.size(), 2u) << "written by the destructor itself";
  EXPECT_NE(spooled[1].find("\"/staged\""), std::string::npos);
  io_.run_for(kEventFlushDelay * 5);  // the posted write must not run on a dead batcher
  EXPECT_EQ(closeAndReadLines().size(), 2u);
}

TEST_F(EventBatcherTest, WithoutALogEventsAreDropped) {
  EventBatcher batcher(io_.get_executor(), nullptr);
  batcher.submit(requestEvent("/nowhere"));
  batcher.flush();
  io_.run_for(kEventFlushDelay * 5);
  EXPECT_EQ(log_->written(), 0u);
}

}  // namespace
}  // namespace warden::proxy::test
