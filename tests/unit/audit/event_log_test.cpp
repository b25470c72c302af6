#include "layers/audit/event_log.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "layers/audit/hash_chain.h"
#include "spool_test_support.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace warden::audit {
namespace {

namespace fs = std::filesystem;

using testing::spoolIn;
using testing::spoolLines;
using testing::TempDir;

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
  const std::string spool = dir.path() + "/log/spool";
  const std::string path = segmentPath(spool, 1);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2500;
  {
    auto log = EventLog::open(spoolIn(spool));
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

TEST(EventLogTest, ContinuesTheNewestSegmentAndCounts) {
  TempDir dir;
  std::string path = segmentPath(dir.path(), 7);
  { std::ofstream(segmentPath(dir.path(), 6)) << "{\"older\":true}\n"; }
  { std::ofstream(path) << "{\"earlier\":true}\n"; }
  {
    auto log = EventLog::open(spoolIn(dir.path()));
    ASSERT_TRUE(log);
    for (int i = 0; i < 3; ++i) (*log)->submit(requestEvent(0, i));
    while ((*log)->written() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ((*log)->dropped(), 0u);
    EXPECT_EQ((*log)->currentSegment(), 7u);
    EXPECT_EQ((*log)->segments(), 2u);
  }
  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "{\"earlier\":true}");
}

// Written lines reach the disk within the sync delay, also when no more
// events follow to trigger a write.
TEST(EventLogTest, WrittenEventsAreSyncedWithinTheDelay) {
  TempDir dir;
  auto log = EventLog::open(spoolIn(dir.path()));
  ASSERT_TRUE(log);
  for (int i = 0; i < 5; ++i) (*log)->submit(requestEvent(0, i));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*log)->synced() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ((*log)->written(), 5u);
  EXPECT_EQ((*log)->synced(), 5u);
}

template <class Done>
bool waitFor(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A disk that fails to flush (EIO from fdatasync). Linux marks the pages it
// could not write clean, so a second fdatasync would report success without
// writing them: the lines are not retried, never count as synced, and are
// counted lost, and the chain's next loss notice says why. Lines written
// after the failure are synced as usual.
std::atomic<bool> gSyncFails{false};
std::atomic<int> gFailedSyncs{0};
int flakySync(int fd) {
  if (gSyncFails.load()) {
    gFailedSyncs.fetch_add(1);
    errno = EIO;
    return -1;
  }
  return ::fdatasync(fd);
}

// A spool in `dir` whose syncs fail until gSyncFails is cleared.
std::unique_ptr<EventLog> openWithFailingSyncs(const std::string& dir, uint64_t segmentBytes = 64ull << 20) {
  gSyncFails = true;
  gFailedSyncs = 0;
  auto options = spoolIn(dir);
  options.syncData = flakySync;
  options.segmentBytes = segmentBytes;
  auto log = EventLog::open(options);
  EXPECT_TRUE(log) << log.error().message;
  return log ? std::move(*log) : nullptr;
}

std::vector<Event> requestEvents(int count, int first = 0) {
  std::vector<Event> events;
  for (int i = first; i < first + count; ++i) events.push_back(requestEvent(0, i));
  return events;
}

// The events each of a segment's failed-sync loss notices counts, and how
// many request lines came before each.
struct SyncLossNotice {
  uint64_t events = 0;
  size_t requestsBefore = 0;
};
std::vector<SyncLossNotice> syncLossNotices(const std::string& segment) {
  std::vector<SyncLossNotice> notices;
  size_t requests = 0;
  for (const auto& line : readLines(segment)) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "request") ++requests;
    if (j["type"] != "audit_loss") continue;
    EXPECT_EQ(j["lost"]["reason"], "the disk failed to sync them");
    notices.push_back({j["lost"]["events"].get<uint64_t>(), requests});
  }
  return notices;
}

TEST(EventLogTest, LinesAFailedSyncCoveredAreCountedLostNotRetried) {
  TempDir dir;
  auto log = openWithFailingSyncs(dir.path());
  ASSERT_TRUE(log);
  std::vector<Event> five = requestEvents(5);  // one batch: one sync window, however slow the machine
  ASSERT_EQ(log->submitBatch(five), 5u);
  ASSERT_TRUE(waitFor([&] { return log->dropped() == 5; })) << "the failed sync's lines are counted lost";
  EXPECT_EQ(log->written(), 5u);
  EXPECT_EQ(log->synced(), 0u) << "lines the disk did not confirm are not counted as durable";
  std::this_thread::sleep_for(4 * EventLog::kSyncDelay);
  EXPECT_EQ(gFailedSyncs.load(), 1) << "a sync that would report pages Linux dropped as written is not tried again";

  gSyncFails = false;
  log->submit(requestEvent(0, 5));
  ASSERT_TRUE(waitFor([&] { return log->synced() == 1; })) << "later lines are synced";
  EXPECT_EQ(log->dropped(), 5u);
  log.reset();
  const auto notices = syncLossNotices(segmentPath(dir.path(), 1));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].events, 5u);
  EXPECT_EQ(notices[0].requestsBefore, 5u) << "the notice follows the lines it covers";
  EXPECT_EQ(readLines(segmentPath(dir.path(), 1)).size(), 7u)
      << "the 6 request lines stay in the segment (a sink may still read them), and the notice";
}

// At stop the lines' sync comes before the last loss notice, so a failed
// writeback there is in the chain too.
TEST(EventLogTest, AtStopAFailedSyncsLossIsInTheLastNotice) {
  TempDir dir;
  auto log = openWithFailingSyncs(dir.path());
  ASSERT_TRUE(log);
  std::vector<Event> five = requestEvents(5);
  ASSERT_TRUE(log->writeNow(five));  // written at once, the sync still due
  log->stop();
  gSyncFails = false;
  EXPECT_EQ(log->dropped(), 5u);
  EXPECT_EQ(log->synced(), 0u);
  const auto notices = syncLossNotices(segmentPath(dir.path(), 1));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].events, 5u);
}

// A closed segment whose sync fails: its lines are counted lost too, once,
// and the chain says so in the next segment.
TEST(EventLogTest, AClosedSegmentsFailedSyncCountsItsLinesLost) {
  TempDir dir;
  auto log = openWithFailingSyncs(dir.path(), /*segmentBytes=*/1);  // closed after each pass's lines
  ASSERT_TRUE(log);
  std::vector<Event> three = requestEvents(3);
  ASSERT_EQ(log->submitBatch(three), 3u);
  ASSERT_TRUE(waitFor([&] { return log->dropped() == 3; }));
  EXPECT_EQ(log->currentSegment(), 2u) << "counted when the closed segment 1 was synced";
  std::this_thread::sleep_for(4 * EventLog::kSyncDelay);
  EXPECT_EQ(gFailedSyncs.load(), 1) << "not tried again";
  EXPECT_EQ(log->dropped(), 3u);
  gSyncFails = false;
  std::vector<Event> later = requestEvents(1, 3);
  ASSERT_EQ(log->submitBatch(later), 1u);
  ASSERT_TRUE(waitFor([&] { return log->written() == 4; }));
  log.reset();
  const auto notices = syncLossNotices(segmentPath(dir.path(), 2));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].events, 3u);
}

// A FIFO nobody reads stalls the writer thread in write(), so the queue fills
// deterministically.
TEST(EventLogTest, OverflowIsCountedWhenTheQueueIsFull) {
  TempDir dir;
  std::string path = segmentPath(dir.path(), 1);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);

  constexpr int kSubmitted = 5000;
  int accepted = 0;
  uint64_t written = 0;
  uint64_t dropped = 0;
  {
    auto log = EventLog::open(spoolIn(dir.path(), /*maxQueued=*/16));
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
  std::string path = segmentPath(dir.path(), 1);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::atomic<bool> done{false};
  std::thread drain;
  std::string drained;  // what the writer wrote into the pipe
  uint64_t dropped = 0;
  {
    auto log = EventLog::open(spoolIn(dir.path(), /*maxQueued=*/8));
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
    dropped = (*log)->dropped();

    drain = std::thread([&] {
      char buf[65536];
      for (;;) {
        // done first: once it is set, everything was written before the read.
        const bool finished = done;
        const ssize_t n = ::read(reader, buf, sizeof(buf));
        if (n > 0) {
          drained.append(buf, static_cast<size_t>(n));
        } else if (finished) {
          return;
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    });
    while ((*log)->written() < accepted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ((*log)->written(), accepted);
  }
  done = true;
  drain.join();
  ::close(reader);
  // The refused events are in the chain too, with their cause.
  uint64_t noticed = 0;
  std::istringstream lines(drained);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j["type"] == "audit_loss") {
      EXPECT_EQ(j["lost"]["reason"], "queue full") << line;
      noticed += j["lost"]["events"].get<uint64_t>();
    }
  }
  EXPECT_EQ(noticed, dropped);
}

// A segment that is /dev/full is a disk that refuses every write.
void segmentOnAFullDisk(const std::string& dir) {
  ASSERT_EQ(::symlink("/dev/full", segmentPath(dir, 1).c_str()), 0);
}

TEST(EventLogTest, UnderTheDropPolicyEventsTheDiskRefusesAreCounted) {
  TempDir dir;
  segmentOnAFullDisk(dir.path());
  auto options = spoolIn(dir.path());
  options.blockWhenFull = false;
  auto log = EventLog::open(options);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE((*log)->submit(requestEvent(0, i)));
  EXPECT_TRUE(waitFor([&] { return (*log)->dropped() == 5; }));
  EXPECT_EQ((*log)->written(), 0u);
  EXPECT_FALSE((*log)->full()) << "the drop policy never refuses requests";
}

TEST(EventLogTest, UnderTheBlockPolicyAFullDiskRefusesRequestsAndHoldsTheEvents) {
  TempDir dir;
  segmentOnAFullDisk(dir.path());
  auto log = EventLog::open(spoolIn(dir.path()));
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE((*log)->submit(requestEvent(0, i)));
  EXPECT_TRUE(waitFor([&] { return (*log)->full(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*log)->written(), 0u);
  EXPECT_EQ((*log)->dropped(), 0u) << "held, to be written when the disk takes them";
}

// The proxy calls this before a response's last byte: when it returns, the
// lines are in the segment, where a killed agent leaves them.
TEST(EventLogTest, EventsWrittenNowAreInTheSegmentWhenItReturns) {
  TempDir dir;
  const std::string spool = dir.path() + "/spool";
  auto log = EventLog::open(spoolIn(spool));
  ASSERT_TRUE(log) << log.error().message;
  for (int round = 0; round < 50; ++round) {
    std::vector<Event> events{requestEvent(0, round), requestEvent(1, round)};
    (*log)->writeNow(events);
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(readLines(segmentPath(spool, 1)).size(), static_cast<size_t>(2 * (round + 1))) << "round " << round;
  }
  EXPECT_EQ((*log)->written(), 100u);
  // The writer thread syncs them within the delay, without being handed any.
  const auto deadline = std::chrono::steady_clock::now() + EventLog::kSyncDelay * 20;
  while ((*log)->synced() < 100 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ((*log)->synced(), 100u);
}

// Readers in the agent read only to the end the writer publishes. Under the
// drop policy a batch the disk takes only part of is truncated away: its
// first lines must never have been published (a file size limit makes the
// disk take part of it).
TEST(EventLogTest, UnderTheDropPolicyAPartlyWrittenBatchIsNeverPublished) {
  TempDir dir;
  const std::string spool = dir.path() + "/spool";
  auto options = spoolIn(spool);
  options.blockWhenFull = false;
  auto committed = std::make_shared<SpoolCommitted>();
  auto log = EventLog::open(options, nullptr, nullptr, committed);
  ASSERT_TRUE(log) << log.error().message;
  const std::string segment = segmentPath(spool, 1);
  EXPECT_EQ(committed->get(), (SpoolPosition{1, 0}));

  std::vector<Event> first{requestEvent(0, 0)};
  (*log)->writeNow(first);
  const uint64_t keptEnd = fs::file_size(segment);
  EXPECT_EQ(committed->get(), (SpoolPosition{1, keptEnd}));

  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = before;
  limited.rlim_cur = keptEnd + 150;  // one line and a half of the next batch
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::vector<Event> refused{requestEvent(0, 1), requestEvent(0, 2), requestEvent(0, 3)};
  (*log)->writeNow(refused);
  const uint64_t sizeAfterRefusal = fs::file_size(segment);
  const auto publishedAfterRefusal = committed->get();
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, oldHandler);

  EXPECT_EQ((*log)->dropped(), 3u);
  EXPECT_EQ(sizeAfterRefusal, keptEnd) << "the part the disk took was truncated away";
  EXPECT_EQ(publishedAfterRefusal, (SpoolPosition{1, keptEnd}));

  std::vector<Event> later{requestEvent(0, 4)};
  (*log)->writeNow(later);
  EXPECT_EQ(committed->get(), (SpoolPosition{1, fs::file_size(segment)}));
  const auto lines = readLines(segment);
  ASSERT_EQ(lines.size(), 3u);  // the first event, the loss notice, the later event
  const auto notice = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(notice["type"], "audit_loss");
  EXPECT_EQ(notice["lost"]["events"], 3);
  EXPECT_EQ(notice["lost"]["reason"], "the disk refused the write") << "not 'spool full': the spool had room";
}

TEST(EventLogTest, EventsWrittenNowAndQueuedShareOneChain) {
  TempDir dir;
  const std::string spool = dir.path() + "/spool";
  {
    auto log = EventLog::open(spoolIn(spool));
    ASSERT_TRUE(log) << log.error().message;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 500; ++i) {
          std::vector<Event> events{requestEvent(t, i)};
          if (t % 2 == 0) {
            (*log)->writeNow(events);
          } else {
            (*log)->submitBatch(events);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  const auto lines = spoolLines(spool);
  ASSERT_EQ(lines.size(), 2000u);
  std::stringstream all;
  for (const auto& line : lines) all << line << "\n";
  const ChainReport report = verifyChain(all);
  EXPECT_TRUE(report.ok) << "line " << report.problemLine << ": " << report.problem;
}

TEST(EventLogTest, OpenFailureIsAnError) {
  auto log = EventLog::open(spoolIn("/proc/warden-cannot-create/spool"));
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("/proc/warden-cannot-create"), std::string::npos) << log.error().message;
}

std::shared_ptr<const CheckpointSigner> testSigner(const std::string& dir) {
  auto signer = CheckpointSigner::loadOrCreate(dir);
  EXPECT_TRUE(signer) << signer.error().message;
  return signer ? *signer : nullptr;
}

// The agent stops its log after the proxy, but a caller that comes late
// must find a closed log, not write behind its closing checkpoint.
TEST(EventLogTest, AStoppedLogRefusesEventsAndCountsThem) {
  TempDir dir;
  const std::string spool = dir.path() + "/spool";
  auto log = EventLog::open(spoolIn(spool), testSigner(dir.path()));
  ASSERT_TRUE(log) << log.error().message;
  std::vector<Event> first{requestEvent(0, 0)};
  EXPECT_TRUE((*log)->writeNow(first));
  (*log)->stop();
  const auto closed = spoolLines(spool);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(closed.back())["type"], "checkpoint") << "the stop closes the segment";
  EXPECT_EQ((*log)->synced(), 1u);

  std::vector<Event> late{requestEvent(0, 1), requestEvent(0, 2)};
  EXPECT_FALSE((*log)->writeNow(late));
  EXPECT_TRUE(late.empty());
  EXPECT_FALSE((*log)->submit(requestEvent(0, 3)));
  EXPECT_EQ((*log)->dropped(), 3u);
  EXPECT_EQ((*log)->written(), 1u);
  EXPECT_EQ(spoolLines(spool), closed) << "nothing is written after the stop";
  (*log)->stop();  // again, as the destructor does: nothing more happens
  EXPECT_EQ(spoolLines(spool), closed);
}

// Segments close at their size with a signed checkpoint, and the chain runs
// on through the next one.
// Queued or written by the caller, alike: the writer thread closes segments.
class SegmentRotationTest : public ::testing::TestWithParam<bool> {};

TEST_P(SegmentRotationTest, SegmentsRotateAtTheirSizeAndTheChainRunsThroughThem) {
  const bool writtenNow = GetParam();
  TempDir dir;
  const std::string spool = dir.path() + "/spool";
  auto options = spoolIn(spool);
  options.segmentBytes = 8 * 1024;
  {
    auto log = EventLog::open(options, testSigner(dir.path()));
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < 200; ++i) {
      if (writtenNow) {
        std::vector<Event> one{requestEvent(0, i)};
        (*log)->writeNow(one);
        // Give the writer its turn at closing the segment now and then.
        if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      (*log)->submit(requestEvent(0, i));
      if (i % 10 == 0) {
        ASSERT_TRUE(waitFor([&] { return (*log)->written() > static_cast<uint64_t>(i); }));
      }
    }
    // The closed segments were synced too, not only the one being written.
    EXPECT_TRUE(waitFor([&] { return (*log)->synced() == (*log)->written(); }))
        << (*log)->synced() << " of " << (*log)->written();
  }
  const auto segments = listSegments(spool);
  ASSERT_GE(segments.size(), 3u);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    std::ifstream in(segmentPath(spool, segments[i]));
    std::string line, last;
    while (std::getline(in, line)) last = line;
    EXPECT_EQ(nlohmann::json::parse(last)["type"], "checkpoint") << "segment " << segments[i] << " ends signed";
  }
  std::stringstream all;
  size_t events = 0;
  for (const auto& line : spoolLines(spool)) {
    all << line << "\n";
    events += nlohmann::json::parse(line)["type"] == "request" ? 1 : 0;
  }
  EXPECT_EQ(events, 200u);
  auto verifier = CheckpointVerifier::load(dir.path() + "/" + kAuditPublicKeyFile);
  ASSERT_TRUE(verifier);
  const ChainReport report = verifyChain(all, &*verifier);
  EXPECT_TRUE(report.ok) << report.problemLine << ": " << report.problem;
  // The newest segment is empty when the last line filled the one before
  // (its rotation came while the syncs were awaited): nothing to sign there.
  const bool newestEmpty = readLines(segmentPath(spool, segments.back())).empty();
  EXPECT_GE(report.checkpointsVerified, segments.size() - (newestEmpty ? 1 : 0));
}

INSTANTIATE_TEST_SUITE_P(QueuedOrWrittenNow, SegmentRotationTest, ::testing::Bool());

// Without sinks the spool is a bounded local log: the oldest segments go.
TEST(EventLogTest, WithoutSinksTheOldestSegmentsAreDeletedAtTheBound) {
  TempDir dir;
  auto options = spoolIn(dir.path());
  options.segmentBytes = 4 * 1024;
  options.maxBytes = 16 * 1024;
  auto log = EventLog::open(options);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 0; i < 400; ++i) {
    (*log)->submit(requestEvent(0, i));
    if (i % 10 == 0) {
      ASSERT_TRUE(waitFor([&] { return (*log)->written() > static_cast<uint64_t>(i); }));
    }
  }
  ASSERT_TRUE(waitFor([&] { return (*log)->written() == 400; }));
  // The count moves before a rotation that follows the write; let it finish.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto segments = listSegments(dir.path());
  EXPECT_GT(segments.front(), 1u) << "the first segments were deleted";
  EXPECT_EQ(segments.back(), (*log)->currentSegment());
  EXPECT_LE((*log)->spoolBytes(), options.maxBytes + options.segmentBytes);
  EXPECT_FALSE((*log)->full());
}

// A sink behind keeps its segments: the spool fills, and the policy applies
// until the sink reads past them.
TEST(EventLogTest, ASinkBehindFillsTheSpoolUntilItCatchesUp) {
  for (const bool block : {true, false}) {
    SCOPED_TRACE(block ? "block" : "drop");
    TempDir dir;
    auto cursors = std::make_shared<SpoolCursors>();
    cursors->set("siem", SpoolPosition{1, 0});
    auto options = spoolIn(dir.path());
    options.segmentBytes = 4 * 1024;
    options.maxBytes = 12 * 1024;
    options.blockWhenFull = block;
    auto log = EventLog::open(options, nullptr, cursors);
    ASSERT_TRUE(log) << log.error().message;
    int submitted = 0;
    for (; submitted < 2000 && !(block ? (*log)->full() : (*log)->dropped() > 0); ++submitted) {
      (*log)->submit(requestEvent(0, submitted));
      if (submitted % 10 == 0) {
        waitFor([&] { return (*log)->written() + (*log)->dropped() > static_cast<uint64_t>(submitted); });
      }
    }
    ASSERT_LT(submitted, 2000) << "the spool never filled";
    EXPECT_EQ(listSegments(dir.path()).front(), 1u) << "nothing the sink needs is deleted";
    if (block) {
      EXPECT_EQ((*log)->dropped(), 0u);
      // Full: what comes now waits in memory, the spool does not grow.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const uint64_t bytes = (*log)->spoolBytes();
      for (int i = 0; i < 20; ++i, ++submitted) (*log)->submit(requestEvent(2, i));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      EXPECT_EQ((*log)->spoolBytes(), bytes);
      EXPECT_EQ((*log)->dropped(), 0u);
    } else {
      EXPECT_FALSE((*log)->full());
    }

    // The sink reads everything: room again, within the bound check's interval.
    cursors->set("siem", SpoolPosition{(*log)->currentSegment(), 0});
    if (block) {
      EXPECT_TRUE(waitFor([&] { return !(*log)->full(); }));
    } else {
      std::this_thread::sleep_for(EventLog::kBoundCheckInterval + std::chrono::milliseconds(50));
    }
    (*log)->submit(requestEvent(1, 0));
    ASSERT_TRUE(waitFor([&] { return (*log)->written() + (*log)->dropped() == static_cast<uint64_t>(submitted) + 1; }));
    EXPECT_GT(listSegments(dir.path()).front(), 1u);
    if (!block) {
      // The dropped events are accounted for in the trail itself.
      bool notice = false;
      for (const auto& line : spoolLines(dir.path())) {
        auto j = nlohmann::json::parse(line);
        if (j["type"] == "audit_loss") {
          notice = j["lost"]["events"].get<uint64_t>() == (*log)->dropped() && j["lost"]["reason"] == "spool full";
        }
      }
      EXPECT_TRUE(notice);
    }
  }
}

}  // namespace
}  // namespace warden::audit
