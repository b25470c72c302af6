#include "layers/validation/rule_set.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::validation {
namespace {

std::string compileError(const std::string& yaml) {
  auto rules = parseRules(yaml, "test.yaml");
  if (!rules) return rules.error().message;
  auto set = RuleSet::compile(std::move(*rules));
  return set ? "" : set.error().message;
}

const char* kGoodRule = R"(rules:
  - id: t.one
    description: one
    category: instruction_override
    severity: high
    score: 0.9
    patterns: ['ignore previous instructions']
)";

TEST(RuleSetTest, ParsesFieldsAndDefaults) {
  auto rules = parseRules(kGoodRule, "test.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = rules->front();
  EXPECT_EQ(r.id, "t.one");
  EXPECT_EQ(r.severity, Severity::High);
  EXPECT_DOUBLE_EQ(r.score, 0.9);
  EXPECT_EQ(r.scope, bitOf(MessagePart::User) | bitOf(MessagePart::System) | bitOf(MessagePart::Assistant) |
                         bitOf(MessagePart::ToolResult) | bitOf(MessagePart::Retrieved));
  EXPECT_EQ(r.views, bitOf(RuleView::Folded) | bitOf(RuleView::Leet) | bitOf(RuleView::Joined) | bitOf(RuleView::Decoded));
  EXPECT_EQ(r.source, "test.yaml:2:5");
  auto set = RuleSet::compile(std::move(*rules));
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->ruleOfPattern(0), 0u);
}

TEST(RuleSetTest, ScopeAndViewsNarrowTheRule) {
  auto rules = parseRules(std::string(kGoodRule) + "    scope: [user, tool_result]\n    views: folded\n", "t.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(rules->front().scope, bitOf(MessagePart::User) | bitOf(MessagePart::ToolResult));
  EXPECT_EQ(rules->front().views, bitOf(RuleView::Folded));
}

TEST(RuleSetTest, BadRegexNamesFileLineRuleAndReason) {
  const std::string message = compileError(R"(rules:
  - id: t.ok
    description: fine
    category: fake_role
    severity: low
    score: 0.1
    patterns: ['fine']
  - id: t.bad
    description: broken
    category: fake_role
    severity: low
    score: 0.1
    patterns: ['good', 'ignore (previous']
)");
  EXPECT_NE(message.find("test.yaml:8:5"), std::string::npos) << message;
  EXPECT_NE(message.find("rule t.bad"), std::string::npos) << message;
  EXPECT_NE(message.find("patterns[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("ignore (previous"), std::string::npos) << message;
  EXPECT_NE(message.find("parenthes"), std::string::npos) << message;  // Vectorscan's own reason
}

TEST(RuleSetTest, UnknownKeyIsRefusedWithItsPosition) {
  const std::string message = compileError(std::string(kGoodRule) + "    severty: low\n");
  EXPECT_NE(message.find("test.yaml:8:5"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_NE(message.find("severty"), std::string::npos) << message;
}

TEST(RuleSetTest, DuplicateIdNamesBothPlaces) {
  std::string yaml = kGoodRule;
  yaml += yaml.substr(yaml.find("  - id"));
  const std::string message = compileError(yaml);
  EXPECT_NE(message.find("duplicate id"), std::string::npos) << message;
  EXPECT_NE(message.find("t.one"), std::string::npos) << message;
  EXPECT_NE(message.find("test.yaml:2:5"), std::string::npos) << message;
  EXPECT_NE(message.find("test.yaml:8:5"), std::string::npos) << message;
}

TEST(RuleSetTest, BadSeverityListsTheKnownOnes) {
  std::string yaml = kGoodRule;
  yaml.replace(yaml.find("high"), 4, "severe");
  const std::string message = compileError(yaml);
  EXPECT_NE(message.find("test.yaml:5:15"), std::string::npos) << message;
  EXPECT_NE(message.find("'severe' is not a severity (low, medium, high, critical)"), std::string::npos) << message;
}

TEST(RuleSetTest, EmptyOrMissingPatternsAreRefused) {
  std::string yaml = kGoodRule;
  yaml.replace(yaml.find("['ignore previous instructions']"), 32, "[]");
  std::string message = compileError(yaml);
  EXPECT_NE(message.find("rule t.one.patterns: expected a list of at least one"), std::string::npos) << message;
  yaml = kGoodRule;
  yaml.erase(yaml.find("    patterns"));
  message = compileError(yaml);
  EXPECT_NE(message.find("missing 'patterns'"), std::string::npos) << message;
}

TEST(RuleSetTest, OtherFieldErrors) {
  std::string yaml = kGoodRule;
  yaml.replace(yaml.find("0.9"), 3, "1.5");
  EXPECT_NE(compileError(yaml).find("'1.5' is not a number from 0 to 1"), std::string::npos);
  yaml = kGoodRule;
  yaml.replace(yaml.find("instruction_override"), 20, "made_up");
  EXPECT_NE(compileError(yaml).find("unknown category 'made_up'"), std::string::npos);
  yaml = kGoodRule;
  yaml.erase(yaml.find("    description"), std::string("    description: one\n").size());
  EXPECT_NE(compileError(yaml).find("missing 'description'"), std::string::npos);
  EXPECT_NE(compileError(std::string(kGoodRule) + "    scope: [everyone]\n").find("unknown value 'everyone'"),
            std::string::npos);
  EXPECT_NE(compileError("rules: [").find("test.yaml:1:"), std::string::npos);
  EXPECT_NE(compileError("rules: []\n").find("no rules to compile"), std::string::npos);
}

TEST(RuleSetTest, DefaultPackLoadsAndCompiles) {
  auto set = RuleSet::loadDirectory(std::string(WARDEN_POLICIES_DIR) + "/rules");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_GE((*set)->rules().size(), 20u);
}

TEST(RuleSetTest, MissingDirectoryIsAClearError) {
  auto set = RuleSet::loadDirectory("/nonexistent/warden-rules");
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("/nonexistent/warden-rules"), std::string::npos);
}

}  // namespace
}  // namespace warden::validation
