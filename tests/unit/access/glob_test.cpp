#include "layers/access/glob.h"

#include <gtest/gtest.h>

namespace warden::access {
namespace {

bool globMatches(const std::string& pattern, const std::string& text) {
  auto glob = Glob::compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern << ": " << glob.error().message;
  return glob && glob->matches(text);
}

TEST(GlobTest, LiteralPrefixSuffixAndAnything) {
  EXPECT_TRUE(globMatches("gpt-4o-mini", "gpt-4o-mini"));
  EXPECT_FALSE(globMatches("gpt-4o-mini", "gpt-4o-mini-2024"));
  EXPECT_TRUE(globMatches("gpt-4o-mini*", "gpt-4o-mini-2024-07-18"));
  EXPECT_FALSE(globMatches("gpt-4o-mini*", "gpt-4o"));
  EXPECT_TRUE(globMatches("*.service", "system.slice/a.service"));
  EXPECT_FALSE(globMatches("*.service", "a.scope"));
  EXPECT_TRUE(globMatches("*", "anything/at all"));
  EXPECT_TRUE(Glob::compile("exact")->isLiteral());
  EXPECT_FALSE(Glob::compile("exec*")->isLiteral());
}

TEST(GlobTest, StarCrossesSlashesQuestionMarkAndClasses) {
  EXPECT_TRUE(globMatches("system.slice/*", "system.slice/app.slice/x.service"));
  EXPECT_TRUE(globMatches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(globMatches("a*b*c", "aXXbYY"));
  EXPECT_TRUE(globMatches("v?", "v1"));
  EXPECT_FALSE(globMatches("v?", "v10"));
  EXPECT_TRUE(globMatches("user-[0-9][0-9]", "user-42"));
  EXPECT_FALSE(globMatches("user-[0-9][0-9]", "user-4x"));
  EXPECT_TRUE(globMatches("[!a]*", "bob"));
  EXPECT_FALSE(globMatches("[!a]*", "alice"));
  EXPECT_TRUE(globMatches("[]x]", "]"));
}

TEST(GlobTest, EscapesMakeWildcardsLiteral) {
  EXPECT_TRUE(globMatches("a\\*b", "a*b"));
  EXPECT_FALSE(globMatches("a\\*b", "aXb"));
  EXPECT_TRUE(Glob::compile("a\\*b")->isLiteral());
  EXPECT_EQ(Glob::compile("a\\*b")->literal(), "a*b");
}

TEST(GlobTest, RejectsMalformedPatterns) {
  EXPECT_EQ(Glob::compile("").error().message, "empty pattern");
  EXPECT_EQ(Glob::compile("abc[de").error().message, "'[' in pattern 'abc[de' is not closed");
  EXPECT_EQ(Glob::compile("abc\\").error().message, "pattern 'abc\\' ends with a lone backslash");
  EXPECT_EQ(Glob::compile("[z-a]").error().message, "range 'z-a' in pattern '[z-a]' is reversed");
}

}  // namespace
}  // namespace warden::access
