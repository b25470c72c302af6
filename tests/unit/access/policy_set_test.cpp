#include "layers/access/policy_set.h"

#include <gtest/gtest.h>

#include <functional>

#include "access_test_support.h"
#include "layers/access/policy_loader.h"

namespace warden::access {
namespace {

using testing::buildSet;
using testing::policyDocument;
using testing::requestFrom;
using testing::TempDir;

const std::string kSupport = "system.slice/support-bot.service";

// The shipped example: the support bot may use gpt-4o-mini without tools;
// anything else it asks for is denied.
std::string supportBotPolicy(const std::string& extra = "") {
  return policyDocument("support-bot", R"(  rules:
    - id: support-bot-mini
      priority: 100
      match:
        unit: ["system.slice/support-bot.service"]
        model: ["gpt-4o-mini*"]
      action: allow
    - id: support-bot-other
      priority: 90
      match:
        unit: ["system.slice/support-bot.service"]
      action: deny
      reason: support bot may only use gpt-4o-mini without tools
)" + extra);
}

TEST(PolicySetTest, FirstMatchingRuleDecides) {
  auto set = buildSet(supportBotPolicy());
  ASSERT_TRUE(set);
  AccessDecision allowed = set->evaluate(requestFrom(kSupport, "gpt-4o-mini-2024-07-18"));
  EXPECT_EQ(allowed.action, Action::Allow);
  EXPECT_TRUE(allowed.enforced);
  EXPECT_EQ(allowed.ruleId, "support-bot-mini");
  EXPECT_EQ(allowed.policyName, "support-bot");
  EXPECT_EQ(allowed.source, "p.yaml:7:7");

  AccessDecision denied = set->evaluate(requestFrom(kSupport, "gpt-4o"));
  EXPECT_EQ(denied.action, Action::Deny);
  EXPECT_EQ(denied.ruleId, "support-bot-other");
  EXPECT_EQ(denied.reason, "support bot may only use gpt-4o-mini without tools");
}

TEST(PolicySetTest, CaptureIsForTheWorkloadsItsFirstMatchingEntryNames) {
  auto set = buildSet(supportBotPolicy(R"(  capture:
    - id: support-bot-full
      description: the support bot's conversations are reviewed
      match: { unit: ["system.slice/support-bot.service"] }
    - id: everyone
      match: {}
)"));
  ASSERT_TRUE(set);
  const CaptureEntry* bot = set->captureFor(requestFrom(kSupport));
  ASSERT_NE(bot, nullptr);
  EXPECT_EQ(bot->id, "support-bot-full");
  EXPECT_EQ(bot->source, "p.yaml:20:7");
  const CaptureEntry* other = set->captureFor(requestFrom("system.slice/other.service"));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->id, "everyone");

  auto none = buildSet(supportBotPolicy());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->captureFor(requestFrom(kSupport)), nullptr) << "hashes only unless a policy opts in";
}

TEST(PolicySetTest, NoMatchWithoutDefaultMonitors) {
  auto set = buildSet(supportBotPolicy());
  AccessDecision d = set->evaluate(requestFrom("system.slice/other.service"));
  EXPECT_EQ(d.action, Action::Monitor);
  EXPECT_TRUE(d.ruleId.empty());
  EXPECT_EQ(d.reason, "no access rule matched and no policy sets a default; the request is monitored");
}

TEST(PolicySetTest, DocumentDefaultApplies) {
  auto set = buildSet(supportBotPolicy("  default: { action: deny }\n"));
  AccessDecision d = set->evaluate(requestFrom("system.slice/other.service"));
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_TRUE(d.enforced);
  EXPECT_EQ(d.policyName, "support-bot");
  EXPECT_EQ(d.reason, "no access rule matched; the default is deny");
}

TEST(PolicySetTest, PriorityThenLoadOrder) {
  auto set = buildSet(policyDocument("order", R"(  rules:
    - id: low
      priority: 1
      action: deny
    - id: first-at-ten
      priority: 10
      action: monitor
    - id: second-at-ten
      priority: 10
      action: allow
    - id: unprioritised
      action: deny
)"));
  ASSERT_TRUE(set);
  std::vector<std::string> order;
  for (const Rule& rule : set->rules()) order.push_back(rule.id);
  EXPECT_EQ(order, (std::vector<std::string>{"first-at-ten", "second-at-ten", "low", "unprioritised"}));
  EXPECT_EQ(set->evaluate(requestFrom(kSupport)).ruleId, "first-at-ten");
}

TEST(PolicySetTest, FilesLoadInNameOrderAndIdsMustBeUnique) {
  TempDir dir;
  dir.write("policies/20-b.yaml", policyDocument("b", "  rules:\n    - id: from-b\n      action: deny\n"));
  dir.write("policies/10-a.yaml", policyDocument("a", "  rules:\n    - id: from-a\n      action: allow\n"));
  dir.write("policies/notes.txt", "not a policy");
  auto set = loadPolicySet({dir.path() + "/policies"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->rules().size(), 2u);
  EXPECT_EQ((*set)->evaluate(requestFrom(kSupport)).ruleId, "from-a");

  const std::string again = dir.write("etc/redefine.yaml",
                                      policyDocument("c", "  rules:\n    - id: from-a\n      action: deny\n"));
  auto clash = loadPolicySet({dir.path() + "/policies", dir.path() + "/etc"});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().message, again + ":7:11: spec.rules[0].id: rule id 'from-a' is already defined at " +
                                       dir.path() + "/policies/10-a.yaml:7:11 (ids are unique across all policy "
                                                    "files; rename one)");
  EXPECT_EQ(loadPolicySet({dir.path() + "/missing"}).error().message,
            "policy path " + dir.path() + "/missing: No such file or directory");
}

TEST(PolicySetTest, OnlyOneDocumentMaySetTheDefault) {
  auto one = parsePolicyText(policyDocument("a", "  default: { action: monitor }\n"), "a.yaml");
  auto two = parsePolicyText(policyDocument("b", "  default: { action: deny }\n"), "b.yaml");
  ASSERT_TRUE(one.ok() && two.ok());
  std::vector<PolicyFile> files;
  files.push_back(std::move(*one));
  files.push_back(std::move(*two));
  auto set = PolicySet::build(std::move(files));
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message,
            "b.yaml:6:12: spec.default: a default is already set at a.yaml:6:12 (only one policy document may set it)");
}

TEST(PolicySetTest, MonitorModeReportsButDoesNotEnforce) {
  auto set = buildSet(policyDocument("m", R"(  mode: monitor
  rules:
    - id: would-deny
      match: { model: ["gpt-4o"] }
      action: deny
    - id: enforced-anyway
      mode: enforce
      match: { model: ["o1*"] }
      action: deny
)"));
  AccessDecision d = set->evaluate(requestFrom(kSupport, "gpt-4o"));
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_FALSE(d.enforced);
  AccessDecision e = set->evaluate(requestFrom(kSupport, "o1-preview"));
  EXPECT_EQ(e.action, Action::Deny);
  EXPECT_TRUE(e.enforced);
}

TEST(PolicySetTest, NotNegatesANestedMatch) {
  auto set = buildSet(policyDocument("n", R"(  rules:
    - id: anything-but-mini
      match:
        unit: ["system.slice/support-bot.service"]
        not: { model: ["gpt-4o-mini"] }
      action: deny
  default: { action: allow }
)"));
  EXPECT_EQ(set->evaluate(requestFrom(kSupport, "gpt-4o")).action, Action::Deny);
  EXPECT_EQ(set->evaluate(requestFrom(kSupport, "gpt-4o-mini")).action, Action::Allow);
}

TEST(PolicySetTest, UnknownWorkloadsMatchOnlyTheirOwnRule) {
  auto set = buildSet(policyDocument("u", R"(  rules:
    - id: any-container
      match: { container: ["*"] }
      action: allow
    - id: unidentified
      match: { unknownWorkload: true }
      action: deny
      reason: connections without a kernel identity are refused
)"));
  AccessRequest unknown;
  unknown.model = "gpt-4o";
  AccessDecision d = set->evaluate(unknown);
  EXPECT_EQ(d.ruleId, "unidentified");
  EXPECT_EQ(d.flags, (std::vector<std::string>{kUnknownWorkloadFlag}));
  // "*" needs a value: a process outside any container is not "in a container".
  AccessRequest host = requestFrom(kSupport);
  EXPECT_EQ(set->evaluate(host).action, Action::Monitor);
  host.subject.containerId = "4f1c0a";
  EXPECT_EQ(set->evaluate(host).ruleId, "any-container");
}

// One rule per criterion; the request is adjusted until exactly it holds.
TEST(PolicySetTest, EachCriterionMatchesItsField) {
  struct Case {
    std::string match;
    std::function<void(AccessRequest&)> makeMatch;
  };
  const std::vector<Case> cases = {
      {"workload: [\"unit:w*\"]", [](AccessRequest& r) { r.subject.workloadKey = "unit:web"; }},
      {"unit: [\"*.service\"]", [](AccessRequest& r) { r.subject.unit = "x.service"; }},
      {"slice: [\"user.slice\"]", [](AccessRequest& r) { r.subject.slice = "user.slice"; }},
      {"container: [\"abc*\"]", [](AccessRequest& r) { r.subject.containerId = "abc123"; }},
      {"runtime: [docker]", [](AccessRequest& r) { r.subject.containerRuntime = "docker"; }},
      {"pod: [\"1234-*\"]", [](AccessRequest& r) { r.subject.podUid = "1234-5678"; }},
      {"cgroup: [\"/kubepods/*\"]", [](AccessRequest& r) { r.subject.cgroupPath = "/kubepods/besteffort"; }},
      {"executable: [\"/usr/bin/python3*\"]", [](AccessRequest& r) { r.subject.executable = "/usr/bin/python3.11"; }},
      {"executableSha256: [\"ab12*\"]", [](AccessRequest& r) { r.subject.executableSha256 = "ab12ff"; }},
      {"user: [alice]", [](AccessRequest& r) { r.subject.user = "alice"; }},
      {"uid: [1001]", [](AccessRequest& r) { r.subject.uid = 1001; }},
      {"group: [staff]", [](AccessRequest& r) { r.subject.group = "staff"; }},
      {"gid: [50]", [](AccessRequest& r) { r.subject.gid = 50; }},
      {"comm: [\"node\"]", [](AccessRequest& r) { r.subject.comm = "node"; }},
      {"provider: [anthropic]", [](AccessRequest& r) { r.provider = "anthropic"; }},
      {"host: [\"*.openai.azure.com\"]", [](AccessRequest& r) { r.host = "x.openai.azure.com"; }},
      {"endpoint: [\"/v1/messages\"]", [](AccessRequest& r) { r.endpoint = "/v1/messages"; }},
      {"model: [\"claude-*\"]", [](AccessRequest& r) { r.model = "claude-3-5-sonnet"; }},
      {"toolsDeclared: [\"shell\", \"exec*\"]", [](AccessRequest& r) { r.toolsDeclared = {"search", "exec_cmd"}; }},
      {"toolsCalled: [\"fetch\"]", [](AccessRequest& r) { r.toolsCalled = {"fetch"}; }},
      {"detections: [secret]", [](AccessRequest& r) { r.detections = {"pii", "secret"}; }},
      {"riskAbove: 0.7", [](AccessRequest& r) { r.riskScore = 0.7; }},
      {"unknownWorkload: false", [](AccessRequest& r) { r.subject.known = true; }},
      {"time: { days: [mon], from: \"09:00\", to: \"10:00\" }",
       [](AccessRequest& r) {
         r.time = std::chrono::sys_days(std::chrono::year{2026} / 11 / 23) + std::chrono::minutes(9 * 60 + 30);
       }},
  };
  for (const Case& c : cases) {
    auto set = buildSet(policyDocument("c", "  rules:\n    - id: r\n      match: { " + c.match +
                                                 " }\n      action: deny\n"));
    ASSERT_TRUE(set) << c.match;
    AccessRequest r;
    r.time = std::chrono::sys_days(std::chrono::year{2026} / 11 / 24);  // a Tuesday, midnight
    EXPECT_EQ(set->evaluate(r).action, Action::Monitor) << c.match << " matched the bare request";
    c.makeMatch(r);
    EXPECT_EQ(set->evaluate(r).action, Action::Deny) << c.match << " did not match";
  }
}

TEST(PolicySetTest, ExactUnitIndexKeepsRuleOrder) {
  // Indexed (exact unit, exact workload) and general rules interleave by priority.
  auto set = buildSet(policyDocument("i", R"(  rules:
    - id: general-high
      priority: 30
      match: { model: ["o1*"] }
      action: deny
    - id: exact-unit
      priority: 20
      match: { unit: ["system.slice/support-bot.service", "system.slice/b.service"] }
      action: allow
    - id: exact-workload
      priority: 25
      match: { workload: ["unit:system.slice/support-bot.service"], model: ["gpt-4o"] }
      action: deny
    - id: general-low
      priority: 10
      action: monitor
)"));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->indexedRuleCount(), 2u);
  EXPECT_EQ(set->evaluate(requestFrom(kSupport, "o1-mini")).ruleId, "general-high");
  EXPECT_EQ(set->evaluate(requestFrom(kSupport, "gpt-4o")).ruleId, "exact-workload");
  EXPECT_EQ(set->evaluate(requestFrom(kSupport, "gpt-4o-mini")).ruleId, "exact-unit");
  EXPECT_EQ(set->evaluate(requestFrom("system.slice/b.service")).ruleId, "exact-unit");
  EXPECT_EQ(set->evaluate(requestFrom("system.slice/c.service")).ruleId, "general-low");
}

TEST(PolicySetTest, ExplainTracesEachRuleUntilTheMatch) {
  auto set = buildSet(supportBotPolicy(R"(    - id: never-reached
      action: allow
)"));
  ASSERT_TRUE(set);
  AccessRequest request = requestFrom(kSupport, "gpt-4o");
  Explanation e = set->explain(request);
  EXPECT_EQ(e.decision.ruleId, set->evaluate(request).ruleId);
  ASSERT_EQ(e.steps.size(), 2u);
  EXPECT_EQ(e.steps[0].ruleId, "support-bot-mini");
  EXPECT_FALSE(e.steps[0].matched);
  EXPECT_EQ(e.steps[0].failure, "model 'gpt-4o' not in [gpt-4o-mini*]");
  EXPECT_EQ(e.steps[1].ruleId, "support-bot-other");
  EXPECT_TRUE(e.steps[1].matched);

  Explanation other = set->explain(requestFrom("system.slice/web.service"));
  ASSERT_EQ(other.steps.size(), 3u);
  EXPECT_EQ(other.steps[0].failure, "unit 'system.slice/web.service' not in [system.slice/support-bot.service]");
  EXPECT_EQ(other.decision.ruleId, "never-reached");
}

TEST(PolicySetTest, ExplainDescribesEveryCriterionKind) {
  auto set = buildSet(policyDocument("x", R"(  rules:
    - id: tools
      match: { toolsDeclared: ["shell"] }
      action: deny
    - id: ids
      match: { uid: [0, 1] }
      action: deny
    - id: risk
      match: { riskAbove: 0.9 }
      action: deny
    - id: when
      match: { time: { days: [sat, sun] } }
      action: deny
    - id: neg
      match: { not: { model: ["gpt-4o"] } }
      action: deny
    - id: unknown
      match: { unknownWorkload: true }
      action: deny
)"));
  AccessRequest r = requestFrom(kSupport, "gpt-4o");
  r.toolsDeclared = {"search"};
  r.subject.uid = 1000;
  r.riskScore = 0.25;
  r.time = std::chrono::sys_days(std::chrono::year{2026} / 11 / 23);
  Explanation e = set->explain(r);
  ASSERT_EQ(e.steps.size(), 6u);
  EXPECT_EQ(e.steps[0].failure, "toolsDeclared ['search'] has none of [shell]");
  EXPECT_EQ(e.steps[1].failure, "uid 1000 not in [0, 1]");
  EXPECT_EQ(e.steps[2].failure, "risk 0.25 below riskAbove 0.90");
  EXPECT_EQ(e.steps[3].failure, "time outside sat,sun 00:00-24:00 UTC");
  EXPECT_EQ(e.steps[4].failure, "not: model 'gpt-4o' in [gpt-4o]");
  EXPECT_EQ(e.steps[5].failure, "workload is known (unknownWorkload: true)");
}

}  // namespace
}  // namespace warden::access
