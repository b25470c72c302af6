#include "layers/audit/hash_chain.h"

#include <gtest/gtest.h>

#include "spool_test_support.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "layers/audit/event_log.h"

namespace warden::audit {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> chained(size_t count, HashChain chain = HashChain::after("")) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < count; ++i) {
    std::string out = "{\"n\":" + std::to_string(i) + "}\n";
    chain.seal(out, 0);
    lines.push_back(out.substr(0, out.size() - 1));
  }
  return lines;
}

ChainReport verify(const std::vector<std::string>& lines) {
  std::stringstream in;
  for (const auto& line : lines) in << line << "\n";
  return verifyChain(in);
}

TEST(HashChainTest, EachLineNamesTheHashOfTheOneBefore) {
  const auto lines = chained(3);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto json = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(json["n"], i);
    EXPECT_EQ(json["chain"]["seq"], i);
    const std::string expected = i == 0 ? std::string(64, '0') : toHex(sha256Of(lines[i - 1]));
    EXPECT_EQ(json["chain"]["prev"], expected);
  }
  const ChainReport report = verify(lines);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.lines, 3u);
  EXPECT_EQ(report.firstSeq, 0u);
}

TEST(HashChainTest, AnEditedLineIsFoundAtTheLineAfterIt) {
  auto lines = chained(5);
  lines[2].replace(lines[2].find("\"n\":2"), 5, "\"n\":7");
  const ChainReport report = verify(lines);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problemLine, 4u);
  EXPECT_NE(report.problem.find("SHA-256 of line 3: that line was altered"), std::string::npos) << report.problem;
}

TEST(HashChainTest, ADeletedLineIsAGap) {
  auto lines = chained(5);
  lines.erase(lines.begin() + 2);
  const ChainReport report = verify(lines);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problemLine, 3u);
  EXPECT_NE(report.problem.find("1 event(s) missing"), std::string::npos) << report.problem;
}

TEST(HashChainTest, ReorderedLinesAreFound) {
  auto lines = chained(5);
  std::swap(lines[1], lines[2]);
  const ChainReport report = verify(lines);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problemLine, 2u);
}

TEST(HashChainTest, AForgedLineWithTheRightSeqStillBreaksTheChain) {
  auto lines = chained(4);
  // Re-sealed by someone without the original line: its seq fits, its prev cannot.
  HashChain forger = HashChain::after(lines[0]);
  std::string forged = "{\"n\":99}\n";
  forger.seal(forged, 0);
  lines[1] = forged.substr(0, forged.size() - 1);
  const ChainReport report = verify(lines);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problemLine, 3u);  // line 2 fits line 1; line 3 no longer fits line 2
}

TEST(HashChainTest, CutAndUnchainedLinesAreReported) {
  auto lines = chained(3);
  lines[1] = lines[1].substr(0, lines[1].size() / 2);
  EXPECT_EQ(verify(lines).problemLine, 2u);
  EXPECT_FALSE(verify({"{\"a\":1}"}).ok);
  EXPECT_TRUE(verify({}).ok);
}

TEST(HashChainTest, AChainContinuesAfterTheLastLineOfALog) {
  const auto first = chained(3);
  const auto more = chained(2, HashChain::after(first.back()));
  std::vector<std::string> all = first;
  all.insert(all.end(), more.begin(), more.end());
  const ChainReport report = verify(all);
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.lines, 5u);
  EXPECT_EQ(nlohmann::json::parse(all.back())["chain"]["seq"], 4);
}

TEST(HashChainTest, TheEventLogChainsItsLinesAcrossReopeningAndAfterAHalfLine) {
  const fs::path dir = fs::temp_directory_path() / ("warden-chain-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = segmentPath(dir.string(), 1);
  const auto writeEvents = [&](int count) {
    auto log = EventLog::open(testing::spoolIn(dir.string()));
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < count; ++i) {
      Event e;
      e.method = "POST";
      e.path = "/v1/chat/completions";
      (*log)->submit(std::move(e));
    }
    while ((*log)->written() < static_cast<uint64_t>(count)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  writeEvents(3);
  writeEvents(2);  // wardend restarted: the chain goes on
  {
    std::ifstream in(path);
    const ChainReport report = verifyChain(in);
    EXPECT_TRUE(report.ok) << report.problemLine << ": " << report.problem;
    EXPECT_EQ(report.lines, 5u);
  }
  // A crash left half a line: the next event starts on a line of its own,
  // and verification stops at the cut line.
  { std::ofstream(path, std::ios::app) << "{\"half\":"; }
  writeEvents(1);
  {
    std::ifstream in(path);
    const ChainReport report = verifyChain(in);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.problemLine, 6u);
  }
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) last = line;
  EXPECT_EQ(nlohmann::json::parse(last)["chain"]["seq"], 5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace warden::audit
