// Layer 3 in the relay: a denied request is answered 403 in the provider's
// format and never forwarded; a budget's 429 carries Retry-After; a brokered
// key reaches the upstream in place of the workload's placeholder; a rule
// with action redact forwards the body with secrets and personal data masked.
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>

#include "../access/access_test_support.h"
#include "layers/access/masking/sensitive_data_scanner.h"
#include "layers/access/secrets_file.h"
#include "layers/audit/event.h"
#include "proxy/proxy.h"
#include "proxy_test_support.h"
#include "shipped_engine.h"
#include "test_upstream.h"

namespace warden::proxy::test {
namespace {

const std::string kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]})";
const std::string kRealKey = "sk-live-real";

class AccessEnforcementTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (proxy_) proxy_->stop();
  }

  // `validate`: with the shipped validation engine.
  void startProxy(const std::string& spec, bool validate = false) {
    ca_ = makeCa(dir_);
    ASSERT_NE(ca_, nullptr);
    auto options = testOptions();
    if (validate) options.promptInspector = testing::shippedEngine();
    options.accessPolicies = access::testing::buildSet(access::testing::policyDocument("t", spec));
    ASSERT_TRUE(options.accessPolicies);
    const std::string path = secretsDir_.write("secrets.yaml", "secrets:\n  prod: \"" + kRealKey + "\"\n");
    auto secrets = access::SecretsFile::load(path, ::geteuid());
    ASSERT_TRUE(secrets.ok()) << secrets.error().message;
    options.accessSecrets = std::make_shared<const access::SecretsFile>(std::move(*secrets));
    auto scanner = masking::SensitiveDataScanner::load(WARDEN_POLICIES_DIR "/masking");
    ASSERT_TRUE(scanner.ok()) << scanner.error().message;
    options.sensitiveDataScanner = std::move(scanner.value());
    options.anomaly = anomaly::RiskSettings{};
    // Every connection comes from the unit the test names.
    options.resolveWorkload = [](const KernelIdentity& kernel) {
      auto record = std::make_shared<audit::WorkloadRecord>();
      record->unit = "system.slice/" + kernel.comm + ".service";
      record->key = "unit:" + record->unit;
      return std::shared_ptr<const audit::WorkloadRecord>(record);
    };
    auto started = Proxy::start(options, origins_.lookup(), ca_, nullptr, {"api.openai.com"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
  }

  // One request from `unit`'s process, through the proxy.
  http::response<http::string_body> sendFrom(const std::string& unit, const http::request<http::string_body>& request) {
    http::response<http::string_body> response;
    EXPECT_TRUE(runClient([&]() -> asio::awaitable<void> {
      auto origin = originTo(upstream_.endpoint(), true);
      origin.identity.comm = unit;
      auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
      beast::flat_buffer buffer;
      response = co_await roundTrip(socket, buffer, request);
    }));
    return response;
  }

  // One chat request from `unit`'s process, with `authorization`.
  http::response<http::string_body> chatFrom(const std::string& unit, const std::string& authorization,
                                             const std::string& body = kChat) {
    auto request = makeRequest(http::verb::post, "/v1/chat/completions", "api.openai.com", body);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::authorization, authorization);
    return sendFrom(unit, request);
  }

  TempDir dir_;
  access::testing::TempDir secretsDir_;
  FakeOrigins origins_;
  std::shared_ptr<CertAuthority> ca_;
  TestUpstream upstream_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(AccessEnforcementTest, ADeniedWorkloadGetsTheProvidersOwn403AndNothingIsForwarded) {
  startProxy(R"(  rules:
    - id: no-coder
      match: { unit: ["system.slice/coder.service"] }
      action: deny
      reason: the coder may not call LLM APIs
    - id: others
      action: allow
)");
  auto denied = chatFrom("coder", "Bearer sk-own");
  EXPECT_EQ(denied.result_int(), 403);
  const auto body = nlohmann::json::parse(denied.body());
  EXPECT_NE(body["error"]["message"].get<std::string>().find("the coder may not call LLM APIs"), std::string::npos)
      << denied.body();
  EXPECT_TRUE(upstream_.requests().empty());

  auto allowed = chatFrom("bot", "Bearer sk-own");
  EXPECT_EQ(allowed.result_int(), 200);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

// Like an HTTP body validation cannot read, it is refused before access
// decides: the workload access would deny gets validation's 400, not 403.
TEST_F(AccessEnforcementTest, AWebSocketValidationCannotReadIsRefusedBeforeAccessDecides) {
  startProxy(R"(  rules:
    - id: no-coder
      match: { unit: ["system.slice/coder.service"] }
      action: deny
    - id: others
      action: allow
)",
             /*validate=*/true);
  for (const std::string unit : {"coder", "bot"}) {
    const auto response = sendFrom(unit, makeWebSocketUpgrade("/v1/some-socket", "api.openai.com"));
    EXPECT_EQ(response.result_int(), 400) << unit;
    EXPECT_NE(response.body().find("cannot read a WebSocket"), std::string::npos) << response.body();
  }
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(AccessEnforcementTest, AnExhaustedBudgetAnswers429WithRetryAfter) {
  startProxy(R"(  rules:
    - id: all
      action: allow
  budgets:
    - id: bot-per-day
      match: { unit: ["system.slice/bot.service"] }
      requestsPerDay: 1
)");
  EXPECT_EQ(chatFrom("bot", "Bearer sk-own").result_int(), 200);
  auto limited = chatFrom("bot", "Bearer sk-own");
  EXPECT_EQ(limited.result_int(), 429);
  ASSERT_EQ(limited.count(http::field::retry_after), 1u);
  const int retryAfter = std::stoi(std::string(limited[http::field::retry_after]));
  EXPECT_GT(retryAfter, 0);
  EXPECT_LE(retryAfter, 86400);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

TEST_F(AccessEnforcementTest, TheUpstreamGetsTheBrokeredKeyNeverThePlaceholder) {
  startProxy(R"(  rules:
    - id: all
      action: allow
  keys:
    - id: prod-key
      sha256: "0000000000000000000000000000000000000000000000000000000000000000"
      allow: { unit: ["system.slice/bot.service"] }
      broker: { secret: prod }
)");
  EXPECT_EQ(chatFrom("bot", "Bearer warden:prod").result_int(), 200);
  ASSERT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(upstream_.requests()[0].headers.at("authorization"), "Bearer " + kRealKey);

  EXPECT_EQ(chatFrom("coder", "Bearer warden:prod").result_int(), 403) << "a placeholder outside its binding";
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

// An AWS key id and an e-mail address in a user turn.
const std::string kLeakyChat =
    R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"You help with cloud setup."},)"
    R"({"role":"user","content":"My config says aws_access_key_id = AKIAQ3EGRXLHZ5N2TK7W and my address is )"
    R"(jane.roe@example.org. Why is the key refused?"}]})";

TEST_F(AccessEnforcementTest, RedactForwardsTheBodyWithSecretsAndPersonalDataMasked) {
  startProxy(R"(  rules:
    - id: mask-bot
      match: { unit: ["system.slice/bot.service"] }
      action: redact
)");
  EXPECT_EQ(chatFrom("bot", "Bearer sk-own", kLeakyChat).result_int(), 200);
  const auto requests = upstream_.requests();  // a copy: the upstream's list is guarded
  ASSERT_EQ(requests.size(), 1u);
  const auto& forwarded = requests[0];
  const auto body = nlohmann::json::parse(forwarded.body);
  const std::string user = body["messages"][1]["content"];
  EXPECT_EQ(user.find("AKIAQ3EGRXLHZ5N2TK7W"), std::string::npos) << user;
  EXPECT_EQ(user.find("jane.roe@example.org"), std::string::npos) << user;
  EXPECT_NE(user.find("[REDACTED:"), std::string::npos) << user;
  EXPECT_NE(user.find("Why is the key refused?"), std::string::npos) << "the rest of the text is kept: " << user;
  EXPECT_EQ(body["messages"][0]["content"], "You help with cloud setup.");
  EXPECT_EQ(forwarded.headers.at("content-length"), std::to_string(forwarded.body.size()));

  // Nothing to mask: the body goes as the client wrote it.
  EXPECT_EQ(chatFrom("bot", "Bearer sk-own").result_int(), 200);
  ASSERT_EQ(upstream_.requests().size(), 2u);
  EXPECT_EQ(upstream_.requests()[1].body, kChat);
}

// Layer 2 feeds layer 3: each request that sends a secret out raises its
// workload's risk, until a rule on riskAbove refuses the next one that would
// take it over. Refused requests sent nothing out and do not raise it
// further. Another workload is not affected.
TEST_F(AccessEnforcementTest, AWorkloadThatKeepsSendingSecretsOutIsCutOffByItsRiskScore) {
  startProxy(R"(  rules:
    - id: risky
      match: { riskAbove: 0.6 }
      action: deny
      reason: this workload's risk is too high
    - id: others
      action: allow
)");
  const std::string leaker = "unit:system.slice/leaker.service";
  EXPECT_EQ(proxy_->workloadRisk(leaker), 0.0);
  int allowed = 0;
  for (; allowed < 10; ++allowed) {
    const auto response = chatFrom("leaker", "Bearer sk-own", kLeakyChat);
    if (response.result_int() != 200) {
      EXPECT_EQ(response.result_int(), 403);
      EXPECT_NE(response.body().find("this workload's risk is too high"), std::string::npos) << response.body();
      break;
    }
  }
  // One AWS key and one e-mail address add 0.30 of evidence: scores 0.26,
  // 0.45, 0.59, then 0.70 with the fourth, which is refused.
  EXPECT_EQ(allowed, 3);
  const double after = *proxy_->workloadRisk(leaker);
  EXPECT_NEAR(after, 1 - std::exp(-0.9), 0.01) << "the refused request's secrets never went out: not counted";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chatFrom("leaker", "Bearer sk-own", kLeakyChat).result_int(), 403);
  EXPECT_LE(*proxy_->workloadRisk(leaker), after) << "refusals on the score do not hold the workload there";
  EXPECT_EQ(chatFrom("leaker", "Bearer sk-own").result_int(), 200) << "a clean request is under the threshold";
  EXPECT_EQ(chatFrom("bot", "Bearer sk-own").result_int(), 200);
  EXPECT_EQ(upstream_.requests().size(), 5u);
}

TEST_F(AccessEnforcementTest, APolicyMayRefuseRequestsThatCarryASecret) {
  startProxy(R"(  rules:
    - id: no-secrets
      match: { detections: ["secret"] }
      action: deny
      reason: credentials may not be sent to a model
    - id: others
      action: allow
)");
  auto refused = chatFrom("bot", "Bearer sk-own", kLeakyChat);
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_NE(refused.body().find("credentials may not be sent to a model"), std::string::npos) << refused.body();
  EXPECT_TRUE(upstream_.requests().empty());
  EXPECT_EQ(chatFrom("bot", "Bearer sk-own").result_int(), 200);
}

}  // namespace
}  // namespace warden::proxy::test
