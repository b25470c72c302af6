#include "layers/access/policy_parser.h"

#include <gtest/gtest.h>

#include "access_test_support.h"

namespace warden::access {
namespace {

using testing::parseError;
using testing::policyDocument;

const char* kFullPolicy = R"(apiVersion: warden.dev/v1
kind: AccessPolicy
metadata:
  name: support-bot
  description: the support bot's limits
spec:
  mode: monitor
  rules:
    - id: support-mini
      priority: 100
      mode: enforce
      match:
        unit: ["system.slice/support-bot.service"]
        model: ["gpt-4o-mini*"]
        uid: [1000, 0x10]
        unknownWorkload: false
        riskAbove: 0.5
        time: { days: [mon, fri], from: "09:00", to: "18:00", zone: "+01:00" }
        not: { toolsDeclared: ["shell"] }
      action: allow
      reason: support bot may only use gpt-4o-mini
    - id: catch-all
      action: deny
  default: { action: deny, reason: zero trust }
  budgets:
    - id: support-budget
      match: { unit: ["system.slice/support-bot.service"] }
      per: rule
      requestsPerMinute: 60
      tokensPerDay: 2000000
  keys:
    - id: openai-prod
      provider: openai
      sha256: "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
      allow: { unit: ["system.slice/support-bot.service"] }
      broker: { secret: openai-prod }
---
# a second document in the same file
apiVersion: warden.dev/v1
kind: AccessPolicy
metadata: { name: second }
spec:
  rules:
    - id: second-rule
      match: { detections: [secret] }
      action: deny
)";

TEST(PolicyParserTest, ReadsEveryField) {
  auto file = parsePolicyText(kFullPolicy, "support.yaml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->documents.size(), 2u);
  EXPECT_EQ(file->ruleCount(), 3u);
  EXPECT_EQ(file->budgetCount(), 1u);
  EXPECT_EQ(file->keyCount(), 1u);
  const PolicyDocument& doc = file->documents[0];
  EXPECT_EQ(doc.name, "support-bot");
  EXPECT_EQ(doc.description, "the support bot's limits");
  EXPECT_EQ(doc.mode, Mode::Monitor);

  const Rule& rule = doc.rules[0];
  EXPECT_EQ(rule.id, "support-mini");
  EXPECT_EQ(rule.priority, 100);
  EXPECT_EQ(rule.mode, Mode::Enforce);
  EXPECT_EQ(rule.action, Action::Allow);
  EXPECT_EQ(rule.reason, "support bot may only use gpt-4o-mini");
  EXPECT_EQ(rule.source, "support.yaml:9:7");
  EXPECT_EQ(rule.policyName, "support-bot");
  ASSERT_EQ(rule.match.criteria.size(), 7u);
  EXPECT_EQ(rule.match.criteria[0].kind, Criterion::Kind::Text);
  EXPECT_EQ(rule.match.criteria[0].text, TextField::Unit);
  EXPECT_EQ(rule.match.criteria[2].ids, (std::vector<uint32_t>{1000, 16}));
  EXPECT_FALSE(rule.match.criteria[3].unknownWorkload);
  EXPECT_DOUBLE_EQ(rule.match.criteria[4].riskAbove, 0.5);
  const TimeWindow& w = rule.match.criteria[5].window;
  EXPECT_EQ(w.days, 0x11);
  EXPECT_EQ(w.fromMinute, 540);
  EXPECT_EQ(w.toMinute, 1080);
  EXPECT_EQ(w.offsetMinutes, 60);
  ASSERT_TRUE(rule.match.criteria[6].negated);
  EXPECT_EQ(rule.match.criteria[6].negated->criteria[0].list, ListField::ToolsDeclared);

  EXPECT_EQ(doc.rules[1].mode, Mode::Monitor);  // the document's mode
  EXPECT_TRUE(doc.rules[1].match.criteria.empty());
  ASSERT_TRUE(doc.defaultDecision);
  EXPECT_EQ(doc.defaultDecision->action, Action::Deny);
  EXPECT_EQ(doc.defaultDecision->reason, "zero trust");

  const Budget& budget = doc.budgets[0];
  EXPECT_FALSE(budget.perWorkload);
  EXPECT_EQ(budget.requestsPerMinute, 60u);
  EXPECT_EQ(budget.tokensPerDay, 2000000u);
  EXPECT_FALSE(budget.requestsPerDay);

  const KeyEntry& key = doc.keys[0];
  EXPECT_EQ(key.sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(key.brokerSecret, "openai-prod");
  EXPECT_EQ(key.provider, "openai");

  EXPECT_EQ(file->documents[1].rules[0].action, Action::Deny);
  EXPECT_EQ(file->documents[1].rules[0].source, "support.yaml:44:7");
}

TEST(PolicyParserTest, CommentOnlyDocumentsAreSkipped) {
  auto file = parsePolicyText("# nothing here yet\n---\n# nor here\n", "empty.yaml");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_TRUE(file->documents.empty());
}

// Each error kind, with the position of the offending token.
TEST(PolicyParserTest, HeaderErrors) {
  EXPECT_EQ(parseError("apiVersion: warden.dev/v2\nkind: AccessPolicy\nmetadata: {name: a}\nspec: {}\n"),
            "p.yaml:1:13: apiVersion: unknown apiVersion 'warden.dev/v2' (expected warden.dev/v1)");
  EXPECT_EQ(parseError("apiVersion: warden.dev/v1\nkind: TracingPolicy\nmetadata: {name: a}\nspec: {}\n"),
            "p.yaml:2:7: kind: unknown kind 'TracingPolicy' (expected AccessPolicy)");
  EXPECT_EQ(parseError("kind: AccessPolicy\nmetadata: {name: a}\nspec: {}\n"),
            "p.yaml:1:1: apiVersion: missing (write apiVersion: warden.dev/v1)");
  EXPECT_EQ(parseError("apiVersion: warden.dev/v1\nkind: AccessPolicy\nmetadata: {description: x}\nspec: {}\n"),
            "p.yaml:3:11: metadata.name: missing (name the policy)");
  EXPECT_EQ(parseError("apiVersion: warden.dev/v1\nkind: AccessPolicy\nmetadata: {name: a}\nspec: {}\nextra: 1\n"),
            "p.yaml:5:1: extra: unknown key (known here: apiVersion, kind, metadata, spec)");
  EXPECT_EQ(parseError("apiVersion: [1\n"), "p.yaml:2:1: invalid YAML: end of sequence flow not found");
}

TEST(PolicyParserTest, RuleErrors) {
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - id: r1\n      action: deny\n      colour: red\n")),
            "p.yaml:9:7: spec.rules[0].colour: unknown key (known here: id, description, priority, mode, match, "
            "action, reason)");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - action: deny\n")),
            "p.yaml:7:7: spec.rules[0].id: missing (every item needs an id, unique across all policy files)");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - id: r1\n      action: block\n")),
            "p.yaml:8:15: spec.rules[0].action: unknown action 'block' (allow, deny, monitor or redact)");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - id: r1\n      mode: audit\n      action: deny\n")),
            "p.yaml:8:13: spec.rules[0].mode: unknown mode 'audit' (enforce or monitor)");
  EXPECT_EQ(parseError(policyDocument("a", "  mode: loud\n")),
            "p.yaml:6:9: spec.mode: unknown mode 'loud' (enforce or monitor)");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - id: r1\n      priority: high\n      action: deny\n")),
            "p.yaml:8:17: spec.rules[0].priority: 'high' is not a whole number");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - id: r 1\n      action: deny\n")),
            "p.yaml:7:11: spec.rules[0].id: 'r 1' is not an id (letters, digits, - _ . :)");
  EXPECT_EQ(parseError(policyDocument("a", "  rules: {id: r1}\n")),
            "p.yaml:6:10: spec.rules: expected a list, got a map");
  EXPECT_EQ(parseError(policyDocument("a", "  rules:\n    - r1\n")),
            "p.yaml:7:7: spec.rules[0]: expected a map, got 'r1'");
}

TEST(PolicyParserTest, MatchErrors) {
  const auto rule = [](const std::string& match) {
    return parseError(policyDocument("a", "  rules:\n    - id: r1\n      action: deny\n      match:\n" + match));
  };
  EXPECT_EQ(rule("        model: []\n"),
            "p.yaml:10:16: spec.rules[0].match.model: is empty: list at least one value, or remove the key");
  EXPECT_EQ(rule("        model: gpt-4o\n"),
            "p.yaml:10:16: spec.rules[0].match.model: expected a list, got 'gpt-4o'");
  EXPECT_EQ(rule("        model: [gpt-4o, 'gpt[4']\n"),
            "p.yaml:10:25: spec.rules[0].match.model[1]: '[' in pattern 'gpt[4' is not closed");
  EXPECT_EQ(rule("        colour: [red]\n"),
            "p.yaml:10:9: spec.rules[0].match.colour: unknown key (known here: workload, unit, slice, container, "
            "runtime, pod, cgroup, executable, executableSha256, user, uid, group, gid, comm, unknownWorkload, "
            "provider, host, endpoint, model, toolsDeclared, toolsCalled, detections, riskAbove, time, not)");
  EXPECT_EQ(rule("        uid: [root]\n"),
            "p.yaml:10:15: spec.rules[0].match.uid[0]: 'root' is not a numeric id (0-4294967295)");
  EXPECT_EQ(rule("        riskAbove: 2\n"), "p.yaml:10:20: spec.rules[0].match.riskAbove: '2' is not a number from 0 to 1");
  EXPECT_EQ(rule("        unknownWorkload: maybe\n"),
            "p.yaml:10:26: spec.rules[0].match.unknownWorkload: 'maybe' is not true or false");
  EXPECT_EQ(rule("        time: { from: \"9am\" }\n"),
            "p.yaml:10:23: spec.rules[0].match.time.from: '9am' is not a time of day (HH:MM, 00:00-23:59)");
  EXPECT_EQ(rule("        time: { days: [someday] }\n"),
            "p.yaml:10:24: spec.rules[0].match.time.days[0]: 'someday' is not a day (mon, tue, wed, thu, fri, sat, "
            "sun)");
  EXPECT_EQ(rule("        time: { zone: Europe/Paris }\n"),
            "p.yaml:10:23: spec.rules[0].match.time.zone: 'Europe/Paris' is not a zone: write UTC or a fixed offset "
            "like +02:00 (named zones are not supported)");
  EXPECT_EQ(rule("        not: [model]\n"),
            "p.yaml:10:14: spec.rules[0].match.not: expected a map of criteria to negate, got a list");
  EXPECT_EQ(rule("        not: { model: [] }\n"),
            "p.yaml:10:23: spec.rules[0].match.not.model: is empty: list at least one value, or remove the key");
}

TEST(PolicyParserTest, DefaultBudgetAndKeyErrors) {
  EXPECT_EQ(parseError(policyDocument("a", "  default: { reason: x }\n")),
            "p.yaml:6:12: spec.default.action: missing (allow, deny, monitor or redact)");
  EXPECT_EQ(parseError(policyDocument("a", "  budgets:\n    - id: b1\n      per: team\n      requestsPerDay: 5\n")),
            "p.yaml:8:12: spec.budgets[0].per: unknown value 'team' (workload or rule)");
  EXPECT_EQ(parseError(policyDocument("a", "  budgets:\n    - id: b1\n")),
            "p.yaml:7:7: spec.budgets[0]: sets no limit (give requestsPerMinute, requestsPerDay, tokensPerMinute or "
            "tokensPerDay)");
  EXPECT_EQ(parseError(policyDocument("a", "  budgets:\n    - id: b1\n      requestsPerMinute: 0\n")),
            "p.yaml:8:26: spec.budgets[0].requestsPerMinute: 0 is not a limit (1-1000000000000)");
  EXPECT_EQ(parseError(policyDocument("a", "  keys:\n    - id: k1\n      sha256: sk-live-123\n      allow: {}\n")),
            "p.yaml:8:15: spec.keys[0].sha256: not a SHA-256 (64 hex digits); never put the key itself here");
  EXPECT_EQ(parseError(policyDocument("a", "  keys:\n    - id: k1\n      sha256: " + std::string(64, 'a') + "\n")),
            "p.yaml:7:7: spec.keys[0].allow: missing (a match of the workloads that may present the key)");
  EXPECT_EQ(parseError(policyDocument("a", "  keys:\n    - id: k1\n      sha256: " + std::string(64, 'a') +
                                               "\n      allow: {}\n      broker: { name: x }\n")),
            "p.yaml:10:17: spec.keys[0].broker.name: unknown key (known here: secret)");
  EXPECT_EQ(parseError(policyDocument("a", "  capture:\n    - id: c1\n")),
            "p.yaml:7:7: spec.capture[0].match: missing (whose prompts are captured; {} for every workload)");
  EXPECT_EQ(parseError(policyDocument("a", "  capture:\n    - id: c1\n      match: {}\n      prompts: true\n")),
            "p.yaml:9:7: spec.capture[0].prompts: unknown key (known here: id, description, match)");
}

}  // namespace
}  // namespace warden::access
