#include "layers/validation/text_verdict_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::validation {
namespace {

TextOutcome outcomeWith(std::string id, std::string sanitized = {}) {
  TextOutcome outcome;
  Detection d;
  d.id = std::move(id);
  d.verdict = Verdict::Flag;
  outcome.detections.push_back(d);
  outcome.report.sanitizeNeeded = !sanitized.empty();
  outcome.report.sanitized = std::move(sanitized);
  return outcome;
}

TEST(TextVerdictCacheTest, FindsWhatWasInsertedForTheSameTextAndPartOnly) {
  TextVerdictCache cache(1 << 20);
  EXPECT_EQ(cache.find(MessagePart::User, "hello"), nullptr);
  const TextOutcome* kept = cache.insert(MessagePart::User, "hello", outcomeWith("a"));
  ASSERT_NE(kept, nullptr);
  const TextOutcome* found = cache.find(MessagePart::User, "hello");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->detections.at(0).id, "a");
  EXPECT_EQ(cache.find(MessagePart::ToolResult, "hello"), nullptr);  // thresholds differ per part
  EXPECT_EQ(cache.find(MessagePart::User, "hello "), nullptr);
  EXPECT_EQ(cache.find(MessagePart::User, "hellO"), nullptr);
}

TEST(TextVerdictCacheTest, ManyTextsAreToldApartByTheirBytes) {
  TextVerdictCache cache(1 << 20);
  for (int i = 0; i < 500; ++i) {
    cache.insert(MessagePart::User, "text " + std::to_string(i), outcomeWith(std::to_string(i)));
  }
  for (int i = 0; i < 500; ++i) {
    const TextOutcome* found = cache.find(MessagePart::User, "text " + std::to_string(i));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(found->detections.at(0).id, std::to_string(i));
  }
}

TEST(TextVerdictCacheTest, MemoryStaysWithinTheBudgetAndRecentTextsSurvive) {
  const size_t budget = 64 * 1024;
  TextVerdictCache cache(budget);
  const std::string filler(1000, 'x');
  for (int i = 0; i < 1000; ++i) {
    cache.insert(MessagePart::User, filler + std::to_string(i), outcomeWith("d"));
    // A text in use on every turn (a system prompt) is carried over each time.
    if (i == 0) {
      cache.insert(MessagePart::User, "the system prompt", outcomeWith("s"));
    } else {
      ASSERT_NE(cache.find(MessagePart::User, "the system prompt"), nullptr) << i;
    }
  }
  // At most the budget's worth of ~1.3 KB entries, and far fewer than were inserted.
  EXPECT_LE(cache.entries(), budget / 1000);
  EXPECT_GT(cache.entries(), 10u);
  EXPECT_NE(cache.find(MessagePart::User, filler + "999"), nullptr);
  EXPECT_EQ(cache.find(MessagePart::User, filler + "0"), nullptr);
  EXPECT_NE(cache.find(MessagePart::User, "the system prompt"), nullptr);
}

TEST(TextVerdictCacheTest, ATextTooLargeForItsShareIsHandedBackNotKept) {
  TextVerdictCache cache(80 * 1024);
  const std::string big(20 * 1024, 'b');
  const TextOutcome* handed = cache.insert(MessagePart::User, big, outcomeWith("big", "sanitised"));
  ASSERT_NE(handed, nullptr);
  EXPECT_EQ(handed->detections.at(0).id, "big");
  EXPECT_EQ(handed->report.sanitized, "sanitised");
  EXPECT_EQ(cache.find(MessagePart::User, big), nullptr);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(TextVerdictCacheTest, ABudgetOfZeroKeepsNothingAndResetEmpties) {
  TextVerdictCache off(0);
  EXPECT_NE(off.insert(MessagePart::User, "t", outcomeWith("x")), nullptr);
  EXPECT_EQ(off.find(MessagePart::User, "t"), nullptr);
  TextVerdictCache cache(1 << 20);
  cache.insert(MessagePart::User, "t", outcomeWith("x"));
  cache.reset(1 << 20);
  EXPECT_EQ(cache.find(MessagePart::User, "t"), nullptr);
}

}  // namespace
}  // namespace warden::validation
