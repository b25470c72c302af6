// Layer 3 at the proxy: a connection's workload, a request's route, body and
// key, through the loaded policies and budgets to a verdict.
#include "proxy/access_gate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "../access/access_test_support.h"
#include "layers/audit/hash_chain.h"

namespace warden::proxy {
namespace {

using access::testing::buildSet;
using access::testing::policyDocument;
using access::testing::TempDir;
using namespace std::chrono_literals;

const std::string kBot = "system.slice/support-bot.service";
const std::string kCoder = "system.slice/coder.service";
const std::string kRealKey = "sk-live-0123456789";

ConnectionInfo connectionOf(const std::string& unit) {
  ConnectionInfo info;
  info.origin.identity.tgid = 4242;
  info.origin.identity.uid = 1000;
  info.origin.identity.comm = "node";
  auto workload = std::make_shared<audit::WorkloadRecord>();
  workload->key = "unit:" + unit;
  workload->unit = unit;
  workload->cgroup = "/" + unit;
  workload->executable = "/usr/bin/node";
  info.workload = workload;
  return info;
}

http::request_header<Fields> headerWith(const std::string& name = "", const std::string& value = "") {
  http::request_header<Fields> header;
  header.method(http::verb::post);
  header.target("/v1/chat/completions?x=1");
  if (!name.empty()) header.set(name, value);
  return header;
}

providers::Request chatRequest(const std::string& model, std::vector<std::string> tools = {}) {
  providers::Request request;
  request.provider = providers::Provider::OpenAI;
  request.model = model;
  for (auto& name : tools) request.tools.push_back(providers::ToolDefinition{.name = name});
  return request;
}

class AccessGateTest : public ::testing::Test {
 protected:
  void load(const std::string& spec, bool withSecrets = false) {
    auto set = buildSet(policyDocument("test", spec));
    ASSERT_TRUE(set);
    AccessPolicies policies{set, nullptr};
    if (withSecrets) {
      const std::string path = dir_.write("secrets.yaml", "secrets:\n  openai-prod: \"" + kRealKey + "\"\n");
      auto secrets = access::SecretsFile::load(path, ::geteuid());
      ASSERT_TRUE(secrets.ok()) << secrets.error().message;
      policies.secrets = std::make_shared<const access::SecretsFile>(std::move(*secrets));
    }
    gate_ = std::make_unique<AccessGate>(policies, [this] { return now_; });
  }

  AccessVerdict check(const std::string& unit, const providers::Request* request,
                      const http::request_header<Fields>& header = headerWith(), double riskScore = 0) {
    const ConnectionInfo info = connectionOf(unit);
    const providers::Route route{.provider = providers::Provider::OpenAI};
    return gate_->check(AccessInput{info, route, request, &header, nullptr, "api.openai.com", nullptr, riskScore});
  }

  TempDir dir_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::time_point{} + 1000h + 10s;
  std::unique_ptr<AccessGate> gate_;
};

TEST_F(AccessGateTest, TheSupportBotMayUseOnlyTheSmallModelWithoutTools) {
  load(R"(  rules:
    - id: bot-mini-no-tools
      match: { unit: ["system.slice/support-bot.service"], model: ["gpt-4o-mini"], not: { toolsDeclared: ["*"] } }
      action: allow
    - id: bot-nothing-else
      match: { unit: ["system.slice/support-bot.service"] }
      action: deny
      reason: the support bot may only call gpt-4o-mini without tools
)");
  const auto mini = chatRequest("gpt-4o-mini");
  auto allowed = check(kBot, &mini);
  EXPECT_FALSE(allowed.refuse);
  EXPECT_EQ(allowed.record.action, "allow");
  EXPECT_EQ(allowed.record.rule, "bot-mini-no-tools");
  EXPECT_EQ(allowed.record.policy, "test");

  const auto big = chatRequest("gpt-4o");
  auto denied = check(kBot, &big);
  EXPECT_TRUE(denied.refuse);
  EXPECT_EQ(denied.refusal, providers::Refusal::Forbidden);
  EXPECT_EQ(denied.reason, "the support bot may only call gpt-4o-mini without tools");
  EXPECT_EQ(denied.record.rule, "bot-nothing-else");
  EXPECT_TRUE(denied.record.enforced);

  const auto withTools = chatRequest("gpt-4o-mini", {"lookup_order"});
  EXPECT_TRUE(check(kBot, &withTools).refuse);
}

// Layer 2 does not count a refusal the risk score made against the workload
// again; the gate says which refusals those are, whichever rule or default
// decided: the ones that would not happen with a score of 0.
TEST_F(AccessGateTest, ARefusalTheRiskScoreMadeIsToldApart) {
  load(R"(  rules:
    - id: risky-coder
      match: { unit: ["system.slice/coder.service"], riskAbove: 0.8 }
      action: deny
    - id: bot-while-calm
      match: { unit: ["system.slice/support-bot.service"], not: { riskAbove: 0.5 }, model: ["gpt-4o-mini"] }
      action: allow
    - id: coder
      match: { unit: ["system.slice/coder.service"], model: ["gpt-4o-mini"] }
      action: allow
  default: { action: deny }
)");
  const auto mini = chatRequest("gpt-4o-mini");
  const auto big = chatRequest("gpt-4o");
  const auto byRule = check(kCoder, &mini, headerWith(), 0.9);
  EXPECT_TRUE(byRule.refuse);
  EXPECT_TRUE(byRule.onRisk) << "the deny rule matched on riskAbove";
  const auto byDefault = check(kBot, &mini, headerWith(), 0.6);
  EXPECT_TRUE(byDefault.refuse);
  EXPECT_TRUE(byDefault.onRisk) << "the allow rule stopped holding above 0.5; the default refused";
  const auto forTheModel = check(kBot, &big, headerWith(), 0.6);
  EXPECT_TRUE(forTheModel.refuse);
  EXPECT_FALSE(forTheModel.onRisk) << "refused at any score: gpt-4o is not allowed";
  EXPECT_FALSE(check(kCoder, &big).onRisk) << "a score of 0 refuses on its own merits";
}

TEST_F(AccessGateTest, AMonitoredDenialIsRecordedButLetThrough) {
  load(R"(  rules:
    - id: no-shell
      mode: monitor
      match: { toolsDeclared: ["shell", "exec*"] }
      action: deny
)");
  const auto request = chatRequest("gpt-4o", {"shell"});
  auto verdict = check(kCoder, &request);
  EXPECT_FALSE(verdict.refuse);
  EXPECT_EQ(verdict.record.action, "deny");
  EXPECT_FALSE(verdict.record.enforced);
  EXPECT_EQ(verdict.record.rule, "no-shell");
}

TEST_F(AccessGateTest, SecretsAndPersonalDataAreDetectionsByClassAndRuleId) {
  load(R"(  rules:
    - id: mask-card-numbers
      match: { detections: ["pii.credit_card"] }
      action: redact
    - id: no-secrets
      match: { detections: ["secret"] }
      action: deny
    - id: others
      action: allow
)");
  const auto request = chatRequest("gpt-4o");
  const ConnectionInfo info = connectionOf(kBot);
  const providers::Route route{.provider = providers::Provider::OpenAI};
  const auto header = headerWith();
  const auto decide = [&](const audit::SensitiveDataRecord& found) {
    return gate_->check(AccessInput{info, route, &request, &header, nullptr, "api.openai.com", &found});
  };
  audit::SensitiveDataRecord card;
  card.findings.push_back({.id = "pii.credit_card", .type = "credit_card", .dataClass = "pii"});
  auto masked = decide(card);
  EXPECT_FALSE(masked.refuse);
  EXPECT_TRUE(masked.redact);
  EXPECT_EQ(masked.record.action, "redact");
  EXPECT_EQ(masked.record.rule, "mask-card-numbers");

  audit::SensitiveDataRecord key;
  key.findings.push_back({.id = "secret.aws.access_key_id", .type = "aws_access_key_id", .dataClass = "secret"});
  auto refused = decide(key);
  EXPECT_TRUE(refused.refuse);
  EXPECT_EQ(refused.record.rule, "no-secrets");

  audit::SensitiveDataRecord unscanned;
  unscanned.error = "sensitive data scan: more than 4096 matches in one text";
  EXPECT_FALSE(decide(unscanned).refuse) << "no-secrets names secret only, not the failed scan";
  load(R"(  rules:
    - id: no-secrets
      match: { detections: ["secret", "sensitive_data_unscanned"] }
      action: deny
    - id: others
      action: allow
)");
  EXPECT_TRUE(decide(unscanned).refuse);
  EXPECT_EQ(decide(unscanned).record.rule, "no-secrets");

  auto clean = decide(audit::SensitiveDataRecord{});
  EXPECT_FALSE(clean.refuse);
  EXPECT_FALSE(clean.redact);
  EXPECT_EQ(clean.record.rule, "others");
}

TEST_F(AccessGateTest, RedactInMonitorModeMasksNothing) {
  load(R"(  rules:
    - id: mask-all
      mode: monitor
      action: redact
)");
  const auto request = chatRequest("gpt-4o");
  auto verdict = check(kBot, &request);
  EXPECT_FALSE(verdict.refuse);
  EXPECT_FALSE(verdict.redact);
  EXPECT_EQ(verdict.record.action, "redact");
  EXPECT_FALSE(verdict.record.enforced);
}

TEST_F(AccessGateTest, ATunnelDecidedByRedactIsRefusedForItCannotBeMasked) {
  load(R"(  rules:
    - id: mask-all
      action: redact
)");
  auto verdict = gate_->checkTunnel(connectionOf(kBot), "127.0.0.2", 0);
  EXPECT_TRUE(verdict.refuse);
  EXPECT_EQ(verdict.record.action, "redact");
  EXPECT_NE(verdict.reason.find("cannot"), std::string::npos) << verdict.reason;
}

TEST_F(AccessGateTest, ABudgetRunsOutWithRetryAfterUntilTheMinuteTurns) {
  load(R"(  rules:
    - id: all
      action: allow
  budgets:
    - id: coder-rpm
      match: { unit: ["system.slice/coder.service"] }
      requestsPerMinute: 2
)");
  const auto request = chatRequest("gpt-4o");
  EXPECT_FALSE(check(kCoder, &request).refuse);
  EXPECT_FALSE(check(kCoder, &request).refuse);
  auto third = check(kCoder, &request);
  ASSERT_TRUE(third.refuse);
  EXPECT_EQ(third.refusal, providers::Refusal::RateLimited);
  EXPECT_EQ(third.retryAfter, 50s) << "10 s into the minute";
  EXPECT_EQ(third.record.budget, "coder-rpm");
  EXPECT_EQ(third.record.limit, "requestsPerMinute");
  EXPECT_EQ(third.record.retryAfterSeconds, 50u);
  EXPECT_FALSE(check(kBot, &request).refuse) << "another workload has its own counter";
  now_ += 50s;
  EXPECT_FALSE(check(kCoder, &request).refuse);
}

// A request the session refuses after the gate admitted it (a redaction it
// cannot do) never reached the provider: it does not use the budget, and no
// tokens are counted for it.
TEST_F(AccessGateTest, ARequestRefusedAfterAdmissionIsTakenBackFromItsBudget) {
  load(R"(  rules:
    - id: all
      action: allow
  budgets:
    - id: coder-rpm
      match: { unit: ["system.slice/coder.service"] }
      requestsPerMinute: 1
)");
  const auto request = chatRequest("gpt-4o");
  auto admitted = check(kCoder, &request);
  ASSERT_FALSE(admitted.refuse);
  ASSERT_FALSE(admitted.budgets.empty());
  gate_->returnRequest(admitted);
  EXPECT_TRUE(admitted.budgets.empty());
  gate_->recordUsage(admitted, 1000);  // nothing left to charge
  EXPECT_FALSE(check(kCoder, &request).refuse);
  EXPECT_TRUE(check(kCoder, &request).refuse) << "the minute's one request is now used";
}

TEST_F(AccessGateTest, TokensReportedAfterTheResponseCountAgainstTheBudget) {
  load(R"(  rules:
    - id: all
      action: allow
  budgets:
    - id: coder-tpm
      match: { unit: ["system.slice/coder.service"] }
      tokensPerMinute: 100
)");
  const auto request = chatRequest("gpt-4o");
  auto first = check(kCoder, &request);
  ASSERT_FALSE(first.refuse);
  gate_->recordUsage(first, 150);
  auto second = check(kCoder, &request);
  EXPECT_TRUE(second.refuse);
  EXPECT_EQ(second.record.limit, "tokensPerMinute");
}

TEST_F(AccessGateTest, AKeyBoundToAnotherWorkloadIsDeniedAsPossibleTheft) {
  load(R"(  keys:
    - id: bot-key
      sha256: ")" + audit::toHex(audit::sha256Of(kRealKey)) + R"("
      allow: { unit: ["system.slice/support-bot.service"] }
  rules:
    - id: all
      action: allow
)");
  const auto request = chatRequest("gpt-4o-mini");
  auto owner = check(kBot, &request, headerWith("Authorization", "Bearer " + kRealKey));
  EXPECT_FALSE(owner.refuse);
  EXPECT_EQ(owner.record.key, "bot-key");

  auto thief = check(kCoder, &request, headerWith("Authorization", "Bearer " + kRealKey));
  EXPECT_TRUE(thief.refuse);
  EXPECT_EQ(thief.record.flags, (std::vector<std::string>{"key_theft_suspected"}));
  EXPECT_EQ(thief.record.key, "bot-key");
  EXPECT_EQ(thief.reason.find(kRealKey), std::string::npos) << "the key never appears in a reason";
}

TEST_F(AccessGateTest, ABrokeredKeyIsLentOnlyToTheWorkloadsItsBindingAdmits) {
  load(R"(  keys:
    - id: bot-key
      sha256: ")" + audit::toHex(audit::sha256Of(kRealKey)) + R"("
      allow: { unit: ["system.slice/support-bot.service"] }
      broker: { secret: openai-prod }
  rules:
    - id: all
      action: allow
)",
       /*withSecrets=*/true);
  const auto request = chatRequest("gpt-4o-mini");
  auto lent = check(kBot, &request, headerWith("Authorization", "Bearer warden:openai-prod"));
  ASSERT_FALSE(lent.refuse) << lent.reason;
  ASSERT_TRUE(lent.credential);
  EXPECT_EQ(lent.credential->header, "authorization");
  EXPECT_EQ(lent.credential->value, "Bearer " + kRealKey);
  EXPECT_TRUE(lent.record.brokered);
  EXPECT_EQ(lent.record.key, "bot-key");

  auto anthropicStyle = check(kBot, &request, headerWith("x-api-key", "warden:openai-prod"));
  ASSERT_TRUE(anthropicStyle.credential);
  EXPECT_EQ(anthropicStyle.credential->value, kRealKey);

  auto stolen = check(kCoder, &request, headerWith("Authorization", "Bearer warden:openai-prod"));
  EXPECT_TRUE(stolen.refuse);
  EXPECT_FALSE(stolen.credential);
  EXPECT_EQ(stolen.reason.find(kRealKey), std::string::npos);
}

TEST_F(AccessGateTest, APlaceholderWithoutASecretsFileIsRefused) {
  load(R"(  rules:
    - id: all
      action: allow
)");
  const auto request = chatRequest("gpt-4o-mini");
  auto verdict = check(kBot, &request, headerWith("Authorization", "Bearer warden:openai-prod"));
  EXPECT_TRUE(verdict.refuse);
  EXPECT_NE(verdict.reason.find("no secrets file"), std::string::npos);
}

TEST_F(AccessGateTest, WithoutPoliciesEverythingPassesUnrecorded) {
  gate_ = std::make_unique<AccessGate>(AccessPolicies{});
  const auto request = chatRequest("gpt-4o");
  auto verdict = check(kBot, &request);
  EXPECT_FALSE(verdict.refuse);
  EXPECT_TRUE(verdict.record.action.empty());
}

TEST(PresentedKey, FindsTheKeyWhereEachProvidersSdkPutsIt) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"authorization", "Bearer sk-1"}, {"x-api-key", "sk-ant-1"}, {"api-key", "azure-1"},
           {"x-goog-api-key", "AIza-1"}}) {
    auto found = presentedKey(headerWith(name, value));
    ASSERT_TRUE(found) << name;
    EXPECT_EQ(found->header, name);
    EXPECT_EQ(found->value, value);
  }
  EXPECT_FALSE(presentedKey(headerWith()));
}

TEST(SubjectOf, ComesFromTheResolvedWorkloadAndTheKernelIds) {
  const auto subject = subjectOf(connectionOf(kBot));
  EXPECT_TRUE(subject.known);
  EXPECT_EQ(subject.unit, kBot);
  EXPECT_EQ(subject.workloadKey, "unit:" + kBot);
  EXPECT_EQ(subject.uid, 1000u);
  EXPECT_EQ(subject.executable, "/usr/bin/node");
  EXPECT_FALSE(subjectOf(ConnectionInfo{}).known);
}

}  // namespace
}  // namespace warden::proxy
