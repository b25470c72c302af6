// The bound on the output text a response reader keeps.
#include <gtest/gtest.h>

#include <string>

#include "providers/text_budget.h"

namespace warden::providers {
namespace {

TEST(TextBudget, AdmitsWholePiecesUpToTheLimit) {
  TextBudget budget(10);
  std::string text;
  budget.append(text, "abcd");
  budget.append(text, "efghij");
  EXPECT_EQ(text, "abcdefghij");
  EXPECT_FALSE(budget.spent());  // exactly at the limit is within it
}

TEST(TextBudget, CutsThePieceThatCrossesTheLimitAndAdmitsNothingAfter) {
  TextBudget budget(10);
  std::string text;
  budget.append(text, "abcdefgh");
  budget.append(text, "ijklmn");
  EXPECT_EQ(text, "abcdefghij");
  EXPECT_TRUE(budget.spent());
  budget.append(text, "");
  budget.append(text, "o");
  EXPECT_EQ(text, "abcdefghij");
}

TEST(TextBudget, NeverCutsInsideAUtf8Character) {
  TextBudget budget(5);
  // "€" is three bytes: only "ab" and one whole euro sign fit in five.
  EXPECT_EQ(budget.admit("ab\xE2\x82\xAC\xE2\x82\xAC"), "ab\xE2\x82\xAC");
  TextBudget tight(4);
  EXPECT_EQ(tight.admit("ab\xE2\x82\xAC"), "ab");
  TextBudget emoji(3);  // a four-byte character does not fit at all
  EXPECT_EQ(emoji.admit("\xF0\x9F\x98\x80"), "");
  EXPECT_TRUE(emoji.spent());
}

TEST(TextBudget, ReplacingTextGivesBackWhatItReplaces) {
  TextBudget budget(10);
  std::string arguments;
  budget.append(arguments, "{\"a\":");     // deltas so far
  budget.assign(arguments, "{\"a\":12}");  // the full value replaces them
  EXPECT_EQ(arguments, "{\"a\":12}");
  std::string more;
  budget.append(more, "xy");  // 8 + 2: still within
  EXPECT_FALSE(budget.spent());
  budget.append(more, "z");
  EXPECT_TRUE(budget.spent());
  EXPECT_EQ(more, "xy");
}

TEST(TextBudget, OnceSpentReplacingKeepsTheTextThere) {
  TextBudget budget(4);
  std::string text;
  budget.append(text, "abcdef");
  ASSERT_EQ(text, "abcd");
  budget.assign(text, "x");
  EXPECT_EQ(text, "abcd");
  EXPECT_FALSE(budget.readmit(4, "x"));
}

TEST(TextBudget, ChargingCutsTextAlreadyInPlace) {
  TextBudget budget(6);
  std::string first = "abcd";
  std::string second = "efgh";
  budget.charge(first);
  budget.charge(second);
  EXPECT_EQ(first, "abcd");
  EXPECT_EQ(second, "ef");
  EXPECT_TRUE(budget.spent());
}

}  // namespace
}  // namespace warden::providers
