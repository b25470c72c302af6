#include "layers/audit/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

namespace warden::audit {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/warden-audit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Event requestEvent(int thread, int seq) {
  Event e;
  e.method = "POST";
  e.path = "/v1/t" + std::to_string(thread) + "/" + std::to_string(seq);
  e.status = 200;
  return e;
}

TEST(EventLogTest, EventsFromFourThreadsAreAllWrittenAsJsonLines) {
  TempDir dir;
  std::string path = dir.path() + "/log/sub/events.jsonl";
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2500;
  {
    auto log = EventLog::open(path);
    ASSERT_TRUE(log) << log.error().message;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < kPerThread; ++i) EXPECT_TRUE((*log)->submit(requestEvent(t, i)));
      });
    }
    for (auto& th : threads) th.join();
  }  // destruction flushes

  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> paths;
  std::set<std::string> ids;
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j["schema"], "warden.event/v1");
    paths.insert(j["request"]["path"].get<std::string>());
    ids.insert(j["id"].get<std::string>());
  }
  EXPECT_EQ(paths.size(), lines.size()) << "every event exactly once";
  EXPECT_EQ(ids.size(), lines.size()) << "ids are assigned and unique";

  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat((dir.path() + "/log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST(EventLogTest, AppendsToAnExistingFileAndCounts) {
  TempDir dir;
  std::string path = dir.path() + "/events.jsonl";
  { std::ofstream(path) << "{\"earlier\":true}\n"; }
  {
    auto log = EventLog::open(path);
    ASSERT_TRUE(log);
    for (int i = 0; i < 3; ++i) (*log)->submit(requestEvent(0, i));
    while ((*log)->written() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ((*log)->dropped(), 0u);
    EXPECT_EQ((*log)->path(), path);
  }
  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "{\"earlier\":true}");
}

// Written lines reach the disk within the sync delay, also when no more
// events follow to trigger a write.
TEST(EventLogTest, WrittenEventsAreSyncedWithinTheDelay) {
  TempDir dir;
  auto log = EventLog::open(dir.path() + "/events.jsonl");
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) (*log)->submit(requestEvent(0, i));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*log)->synced() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ((*log)->written(), 5u);
  EXPECT_EQ((*log)->synced(), 5u);
}

// A FIFO nobody reads stalls the writer thread in write(), so the queue fills
// deterministically.
TEST(EventLogTest, OverflowIsCountedWhenTheQueueIsFull) {
  TempDir dir;
  std::string path = dir.path() + "/events.fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);

  constexpr int kSubmitted = 5000;
  int accepted = 0;
  uint64_t written = 0;
  uint64_t dropped = 0;
  {
    auto log = EventLog::open(path, /*maxQueued=*/16);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < kSubmitted; ++i) accepted += (*log)->submit(requestEvent(0, i)) ? 1 : 0;
    dropped = (*log)->dropped();
    EXPECT_GT(dropped, 0u);
    EXPECT_EQ(dropped, static_cast<uint64_t>(kSubmitted - accepted));

    // Drain the FIFO so the destructor's flush can finish.
    std::atomic<bool> done{false};
    std::thread drain([&] {
      char buf[65536];
      while (!done) {
        if (::read(reader, buf, sizeof(buf)) <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    while ((*log)->written() < static_cast<uint64_t>(accepted)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    written = (*log)->written();
    done = true;
    drain.join();
  }
  ::close(reader);
  EXPECT_EQ(written + dropped, static_cast<uint64_t>(kSubmitted));
}

TEST(EventLogTest, ABatchIsQueuedWholeOrCountedAsDroppedBeyondTheRoom) {
  TempDir dir;
  std::string path = dir.path() + "/events.fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::atomic<bool> done{false};
  std::thread drain;
  {
    auto log = EventLog::open(path, /*maxQueued=*/8);
    ASSERT_TRUE(log) << log.error().message;
    // Fill the pipe until the writer thread is stuck in write() and the
    // queue stays full: refused again and again while time passes.
    size_t accepted = 0;
    for (int refusals = 0; refusals < 200;) {
      std::vector<Event> one{requestEvent(2, static_cast<int>(accepted))};
      const size_t queued = (*log)->submitBatch(one);
      EXPECT_TRUE(one.empty()) << "the batch is always taken";
      accepted += queued;
      if (queued > 0) {
        refusals = 0;
      } else {
        ++refusals;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    const uint64_t droppedBefore = (*log)->dropped();
    std::vector<Event> batch;
    for (int i = 0; i < 20; ++i) batch.push_back(requestEvent(3, i));
    EXPECT_EQ((*log)->submitBatch(batch), 0u);
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ((*log)->dropped(), droppedBefore + 20);

    drain = std::thread([&] {
      char buf[65536];
      while (!done) {
        if (::read(reader, buf, sizeof(buf)) <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    while ((*log)->written() < accepted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ((*log)->written(), accepted);
  }
  done = true;
  drain.join();
  ::close(reader);
}

TEST(EventLogTest, WriteErrorsAreCountedNotThrown) {
  auto log = EventLog::open("/dev/full");
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE((*log)->submit(requestEvent(0, i)));
  for (int tries = 0; (*log)->failed() < 5 && tries < 5000; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ((*log)->failed(), 5u);
  EXPECT_EQ((*log)->written(), 0u);
}

TEST(EventLogTest, OpenFailureIsAnError) {
  auto log = EventLog::open("/proc/warden-cannot-create/events.jsonl");
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("/proc/warden-cannot-create"), std::string::npos) << log.error().message;
}

}  // namespace
}  // namespace warden::audit
