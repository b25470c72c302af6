#include "layers/audit/sinks/spool_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sink_test_support.h"

namespace warden::audit {
namespace {

using test::appendBytes;
using test::SpoolWriter;
using test::TempDir;

std::vector<std::string> asStrings(const SpoolBatch& batch) {
  return std::vector<std::string>(batch.lines.begin(), batch.lines.end());
}

// Reads until nothing new comes (following segments), collecting every line.
std::vector<std::string> drain(SpoolReader& reader, size_t maxLines = 1000, size_t maxBytes = 1 << 20) {
  std::vector<std::string> out;
  for (int i = 0; i < 1000; ++i) {
    const SpoolPosition before = reader.position();
    auto batch = reader.read(maxLines, maxBytes);
    EXPECT_TRUE(batch.ok()) << batch.error().message;
    if (!batch) break;
    for (std::string_view line : batch->lines) out.emplace_back(line);
    if (batch->lines.empty() && batch->position == before) break;
  }
  return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(SpoolReaderTest, EmptySpoolReadsNothingAndStaysAtTheStart) {
  TempDir dir;
  SpoolReader reader(dir.path(), {});
  auto batch = reader.read(10, 4096);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_TRUE(batch->lines.empty());
  EXPECT_EQ(batch->position, (SpoolPosition{0, 0}));
}

TEST(SpoolReaderTest, HalfLineAtTheEndOfTheNewestSegmentIsWaitedForNeverDelivered) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto whole = writer.append(1, 3);
  const std::string pending = writer.nextLine();
  const size_t cut = pending.size() / 2;
  appendBytes(segmentPath(dir.path(), 1), pending.substr(0, cut));

  SpoolReader reader(dir.path(), {});
  auto batch = reader.read(100, 1 << 20);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(asStrings(*batch), whole);
  uint64_t wholeBytes = 0;
  for (const auto& line : whole) wholeBytes += line.size() + 1;
  EXPECT_EQ(batch->position, (SpoolPosition{1, wholeBytes}));

  // Polled again: the half line is still not delivered, nothing moves.
  for (int i = 0; i < 3; ++i) {
    auto again = reader.read(100, 1 << 20);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->lines.empty());
    EXPECT_EQ(again->position, (SpoolPosition{1, wholeBytes}));
  }
  // The writer finishes it: now it is delivered, whole.
  appendBytes(segmentPath(dir.path(), 1), pending.substr(cut) + "\n");
  auto finished = reader.read(100, 1 << 20);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(asStrings(*finished), std::vector<std::string>{pending});
  EXPECT_EQ(reader.counters(), SpoolReaderCounters{});
}

TEST(SpoolReaderTest, FollowsIntoTheNextSegmentAndSkipsAHalfLineLeftInTheOldOne) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 2);
  const std::string cutLine = writer.nextLine();
  appendBytes(segmentPath(dir.path(), 1), cutLine.substr(0, 40));  // a crash cut it
  SpoolReader reader(dir.path(), {});
  EXPECT_EQ(drain(reader), first);

  const auto second = writer.append(2, 3);  // the restarted writer opened segment 2
  const auto delivered = drain(reader);
  EXPECT_EQ(delivered, second);
  EXPECT_EQ(reader.position().segment, 2u);
  EXPECT_EQ(reader.counters().halfLines, 1u);
  for (const auto& line : delivered) EXPECT_NE(line.substr(0, 40), cutLine.substr(0, 40));
}

// Lines the writer has not made final (a batch it may still truncate away)
// are not read, though they are on disk; nor is a segment it has not begun.
TEST(SpoolReaderTest, ReadsNoFurtherThanTheWriterCommitted) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto kept = writer.append(1, 2);
  const uint64_t keptEnd = std::filesystem::file_size(segmentPath(dir.path(), 1));
  const auto pending = writer.append(1, 2);
  auto committed = std::make_shared<SpoolCommitted>();
  committed->publish({1, keptEnd});
  SpoolReader reader(dir.path(), {}, "test", committed);
  EXPECT_EQ(drain(reader), kept);
  EXPECT_EQ(reader.position(), (SpoolPosition{1, keptEnd}));

  // Segment 2 exists but the writer has not moved to it: segment 1 is not final.
  const auto next = writer.append(2, 1);
  EXPECT_TRUE(drain(reader).empty());
  EXPECT_EQ(reader.position(), (SpoolPosition{1, keptEnd}));

  committed->publish({1, std::filesystem::file_size(segmentPath(dir.path(), 1))});
  EXPECT_EQ(drain(reader), pending);
  committed->publish({2, 0});
  EXPECT_TRUE(drain(reader).empty()) << "segment 2 begun, none of it final";
  EXPECT_EQ(reader.position().segment, 2u);
  committed->publish({2, std::filesystem::file_size(segmentPath(dir.path(), 2))});
  EXPECT_EQ(drain(reader), next);
  EXPECT_EQ(reader.counters().halfLines, 0u);
}

TEST(SpoolReaderTest, LinesFinishedJustBeforeTheWriterMovedOnAreStillRead) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 1);
  const std::string late = writer.nextLine();
  appendBytes(segmentPath(dir.path(), 1), late.substr(0, 10));
  SpoolReader reader(dir.path(), {});
  EXPECT_EQ(drain(reader), first);
  // The writer completes the line, then starts segment 2.
  appendBytes(segmentPath(dir.path(), 1), late.substr(10) + "\n");
  const auto second = writer.append(2, 1);
  EXPECT_EQ(drain(reader), concat({late}, second));
  EXPECT_EQ(reader.counters().halfLines, 0u);
}

TEST(SpoolReaderTest, StartsAtTheOldestSegmentAndFollowsEmptyOnes) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto a = writer.append(3, 2);
  appendBytes(segmentPath(dir.path(), 4), "");  // created, nothing written yet
  const auto b = writer.append(5, 2);
  SpoolReader reader(dir.path(), {0, 0});
  EXPECT_EQ(drain(reader), concat(a, b));
  EXPECT_EQ(reader.counters().skippedSegments, 0u);
}

TEST(SpoolReaderTest, DeletedSegmentsAreSkippedAndTheirLinesCounted) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 4);
  SpoolReader reader(dir.path(), {});
  EXPECT_EQ(drain(reader), first);

  writer.append(2, 5);
  writer.append(3, 7);
  const auto survivors = writer.append(4, 2);
  std::filesystem::remove(segmentPath(dir.path(), 2));
  std::filesystem::remove(segmentPath(dir.path(), 3));

  EXPECT_EQ(drain(reader), survivors);
  EXPECT_EQ(reader.counters().skippedSegments, 2u);
  EXPECT_EQ(reader.counters().lostLines, 12u);
}

TEST(SpoolReaderTest, SavedCursorInADeletedSegmentJumpsToTheOldestExisting) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  writer.append(1, 3);
  writer.append(2, 3);
  const auto kept = writer.append(3, 3);
  std::filesystem::remove(segmentPath(dir.path(), 1));
  std::filesystem::remove(segmentPath(dir.path(), 2));

  SpoolReader reader(dir.path(), {1, 0});
  EXPECT_EQ(drain(reader), kept);
  EXPECT_EQ(reader.counters().skippedSegments, 2u);
}

TEST(SpoolReaderTest, ASegmentDeletedWhileBeingReadIsStillReadToItsEnd) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto first = writer.append(1, 5);
  SpoolReader reader(dir.path(), {});
  auto batch = reader.read(2, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(asStrings(*batch), std::vector<std::string>(first.begin(), first.begin() + 2));

  std::filesystem::remove(segmentPath(dir.path(), 1));
  const auto second = writer.append(2, 1);
  EXPECT_EQ(drain(reader), concat(std::vector<std::string>(first.begin() + 2, first.end()), second));
  EXPECT_EQ(reader.counters().skippedSegments, 0u);
}

TEST(SpoolReaderTest, ANewReaderResumesAtTheReturnedPosition) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto lines = writer.append(1, 10);
  SpoolPosition saved;
  {
    SpoolReader reader(dir.path(), {});
    auto batch = reader.read(4, 1 << 20);
    ASSERT_TRUE(batch.ok());
    saved = batch->position;
  }
  SpoolReader resumed(dir.path(), saved);
  EXPECT_EQ(drain(resumed), std::vector<std::string>(lines.begin() + 4, lines.end()));
}

TEST(SpoolReaderTest, BatchesAreBoundByLinesAndBytesButALongLineComesWhole) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto lines = writer.append(1, 6);
  SpoolReader reader(dir.path(), {});
  auto byLines = reader.read(4, 1 << 20);
  ASSERT_TRUE(byLines.ok());
  EXPECT_EQ(byLines->lines.size(), 4u);

  // Fewer bytes than one line: still one whole line per read.
  auto small = reader.read(100, 16);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(asStrings(*small), std::vector<std::string>{lines[4]});
  // Room for about one and a half lines: one.
  auto oneAndHalf = reader.read(100, lines[5].size() * 3 / 2);
  ASSERT_TRUE(oneAndHalf.ok());
  EXPECT_EQ(asStrings(*oneAndHalf), std::vector<std::string>{lines[5]});
}

TEST(SpoolReaderTest, ACompleteLineThatIsNotJsonIsSkippedAndCounted) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto before = writer.append(1, 1);
  // Half a line a restarted writer ended with a newline.
  appendBytes(segmentPath(dir.path(), 1), "{\"host\":\"h1\",\"id\":\"cut\n");
  const auto after = writer.append(1, 1);
  SpoolReader reader(dir.path(), {});
  EXPECT_EQ(drain(reader), concat(before, after));
  EXPECT_EQ(reader.counters().malformedLines, 1u);
}

TEST(SpoolReaderTest, ACursorNotAtALineStartRereadsTheSegmentRatherThanLoseALine) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto lines = writer.append(1, 3);
  SpoolReader reader(dir.path(), {1, 7});
  EXPECT_EQ(drain(reader), lines);
}

TEST(SpoolReaderTest, ACursorBeyondTheNewestSegmentMeansTheSpoolWasResetAndStartsAgain) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto lines = writer.append(1, 2);
  SpoolReader reader(dir.path(), {9, 100});
  EXPECT_EQ(drain(reader), lines);
}

TEST(SpoolReaderTest, BytesAndLinesAfterAPosition) {
  TempDir dir;
  SpoolWriter writer(dir.path());
  const auto a = writer.append(1, 3);
  const auto b = writer.append(2, 2);
  const SpoolPosition afterFirst{1, a[0].size() + 1};
  uint64_t expected = 0;
  for (size_t i = 1; i < a.size(); ++i) expected += a[i].size() + 1;
  for (const auto& line : b) expected += line.size() + 1;
  EXPECT_EQ(spoolBytesAfter(dir.path(), afterFirst), expected);
  EXPECT_EQ(spoolLinesAfter(dir.path(), afterFirst), 4u);
  EXPECT_EQ(spoolLinesAfter(dir.path(), {}), 5u);
  EXPECT_EQ(spoolBytesAfter(dir.path(), {2, 1000}), 0u);
}

TEST(SpoolReaderTest, ChainSeqIsReadFromTheLastMember) {
  SpoolWriter writer("/nonexistent");
  EXPECT_EQ(chainSeqOf(writer.nextLine()), 0u);
  EXPECT_EQ(chainSeqOf("{\"a\":\"\\\"seq\\\":5\",\"chain\":{\"prev\":\"00\",\"seq\":42}}"), 42u);
  EXPECT_EQ(chainSeqOf("{\"seq\":3}"), std::nullopt);
  EXPECT_EQ(chainSeqOf("{\"chain\":{\"prev\":\"00\",\"seq\":4},\"more\":1}"), std::nullopt);
}

}  // namespace
}  // namespace warden::audit
