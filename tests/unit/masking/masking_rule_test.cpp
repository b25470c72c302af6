#include "layers/access/masking/masking_rule.h"

#include <gtest/gtest.h>

#include <string>

#include "layers/access/masking/sensitive_data_scanner.h"

namespace warden::masking {
namespace {

const char* kGoodRule = R"(version: 1
rules:
  - id: t.token
    description: a test token
    class: secret
    type: test_token
    confidence: 0.9
    patterns: ['\btok_[a-z0-9]{8}\b']
)";

std::string parseError(const std::string& yaml) {
  auto rules = parseMaskingRules(yaml, "test.yaml");
  return rules ? "" : rules.error().message;
}

TEST(MaskingRuleTest, ParsesFieldsAndDefaults) {
  auto rules = parseMaskingRules(kGoodRule, "test.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  ASSERT_EQ(rules->size(), 1u);
  const MaskingRule& r = rules->front();
  EXPECT_EQ(r.id, "t.token");
  EXPECT_EQ(r.dataClass, DataClass::Secret);
  EXPECT_EQ(r.type, "test_token");
  EXPECT_DOUBLE_EQ(r.confidence, 0.9);
  EXPECT_EQ(r.span, MaskSpan::Match);
  EXPECT_EQ(r.check, ValueCheck::Token);  // a secret format is checked for examples and filler
  EXPECT_EQ(r.source, "test.yaml:3:5");
}

TEST(MaskingRuleTest, ValueRulesDefaultToTheSecretValueCheck) {
  auto rules = parseMaskingRules(std::string(kGoodRule) + "    mask: value_after\n", "t.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(rules->front().span, MaskSpan::ValueAfter);
  EXPECT_EQ(rules->front().check, ValueCheck::SecretValue);
}

TEST(MaskingRuleTest, ErrorsNameFileLineColumnAndField) {
  EXPECT_EQ(parseError(std::string(kGoodRule) + "    colour: red\n"),
            "test.yaml:9:5: rules[0].colour: unknown key (known here: id, description, class, type, confidence, "
            "patterns, mask, check)");
  const std::string badClass = R"(rules:
  - id: t.x
    description: x
    class: password
    type: x
    confidence: 0.5
    patterns: ['x']
)";
  EXPECT_EQ(parseError(badClass), "test.yaml:4:12: rule t.x.class: 'password' is not a data class (secret, pii)");
  const std::string badCheck = std::string(kGoodRule) + "    check: luhnn\n";
  EXPECT_NE(parseError(badCheck).find("test.yaml:9:12: rule t.token.check: unknown value 'luhnn' (known: none, "),
            std::string::npos)
      << parseError(badCheck);
  const std::string badConfidence = R"(rules:
  - id: t.x
    description: x
    class: pii
    type: x
    confidence: 1.5
    patterns: ['x']
)";
  EXPECT_EQ(parseError(badConfidence), "test.yaml:6:17: rule t.x.confidence: '1.5' is not a number from 0 to 1");
  EXPECT_EQ(parseError("rules:\n  - id: t.x\n    class: pii\n"), "test.yaml:2:5: rule t.x: missing 'description'");
  EXPECT_EQ(parseError("rules: [\n"), "test.yaml:2:1: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(parseError("version: 2\n"), "test.yaml:1:10: version: only version 1 is known");
}

TEST(MaskingRuleTest, RefusedPatternNamesRuleAndPosition) {
  auto rules = parseMaskingRules(R"(rules:
  - id: t.bad
    description: look-behind is not supported
    class: secret
    type: bad
    confidence: 0.5
    patterns: ['ok', '(?<=a)b']
)",
                                 "bad.yaml");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  auto scanner = SensitiveDataScanner::compile(std::move(*rules));
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.error().message.rfind("bad.yaml:2:5: rule t.bad: patterns[1] '(?<=a)b' does not compile: ", 0), 0u)
      << scanner.error().message;
}

TEST(MaskingRuleTest, DuplicateIdsAcrossFilesAreRefused) {
  auto one = parseMaskingRules(kGoodRule, "a.yaml");
  auto two = parseMaskingRules(kGoodRule, "b.yaml");
  ASSERT_TRUE(one.ok() && two.ok());
  one->push_back(two->front());
  auto scanner = SensitiveDataScanner::compile(std::move(*one));
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.error().message,
            "b.yaml:3:5: rule t.token: duplicate id (first defined at a.yaml:3:5); rule ids must be unique across all "
            "masking rule files");
}

TEST(MaskingRuleTest, LoadFailsOnAMissingDirectory) {
  auto scanner = SensitiveDataScanner::load("/nonexistent/masking");
  ASSERT_FALSE(scanner.ok());
  EXPECT_NE(scanner.error().message.find("/nonexistent/masking"), std::string::npos);
}

}  // namespace
}  // namespace warden::masking
