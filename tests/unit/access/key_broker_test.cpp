#include "layers/access/key_broker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "access_test_support.h"

namespace warden::access {
namespace {

using testing::buildSet;
using testing::policyDocument;
using testing::requestFrom;
using testing::TempDir;

const std::string kBot = "system.slice/support-bot.service";
const std::string kRealKey = "sk-live-0123456789";
const std::string kKeyHash(64, 'c');

std::string keyPolicy() {
  return policyDocument("keys", R"(  keys:
    - id: openai-prod-key
      provider: openai
      sha256: ")" + kKeyHash + R"("
      allow: { unit: ["system.slice/support-bot.service"] }
      broker: { secret: openai-prod }
  rules:
    - id: allow-all
      action: allow
)");
}

TEST(KeyBindingTest, KeyPresentedByAnotherWorkloadIsDeniedAndFlagged) {
  auto set = buildSet(keyPolicy());
  ASSERT_TRUE(set);
  AccessRequest owner = requestFrom(kBot);
  owner.keySha256 = kKeyHash;
  EXPECT_EQ(set->evaluate(owner).action, Action::Allow);

  AccessRequest thief = requestFrom("system.slice/intruder.service");
  thief.keySha256 = std::string(64, 'C');  // hex case does not matter
  AccessDecision d = set->evaluate(thief);
  EXPECT_EQ(d.action, Action::Deny);
  EXPECT_TRUE(d.enforced);
  EXPECT_EQ(d.ruleId, "openai-prod-key");
  EXPECT_EQ(d.flags, (std::vector<std::string>{kKeyTheftFlag}));
  EXPECT_EQ(d.reason, "the API key 'openai-prod-key' is bound to other workloads; this workload may not use it");
  EXPECT_EQ(d.reason.find(kKeyHash), std::string::npos);

  Explanation e = set->explain(thief);
  EXPECT_EQ(e.decision.action, Action::Deny);
  EXPECT_EQ(e.keyCheck, "key 'openai-prod-key' presented outside its allow: unit 'system.slice/intruder.service' "
                        "not in [system.slice/support-bot.service]");

  AccessRequest unknownKey = requestFrom("system.slice/intruder.service");
  unknownKey.keySha256 = std::string(64, 'd');
  EXPECT_EQ(set->evaluate(unknownKey).action, Action::Allow);
}

TEST(SecretsFileTest, RefusesFilesOthersCanRead) {
  TempDir dir;
  const std::string loose = dir.write("loose.yaml", "secrets: { openai-prod: \"" + kRealKey + "\" }\n", 0640);
  auto refused = SecretsFile::load(loose, ::geteuid());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "refusing secrets file " + loose + ": mode 0640 lets group or others at it (chmod 600 " + loose + ")");

  const std::string tight = dir.write("tight.yaml", "secrets: { openai-prod: \"" + kRealKey + "\" }\n", 0600);
  auto wrongOwner = SecretsFile::load(tight, ::geteuid() + 1);
  ASSERT_FALSE(wrongOwner.ok());
  EXPECT_NE(wrongOwner.error().message.find("must be owned by uid " + std::to_string(::geteuid() + 1)),
            std::string::npos);

  auto loaded = SecretsFile::load(tight, ::geteuid());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->find("openai-prod"), kRealKey);
}

TEST(SecretsFileTest, MalformedFilesNeverQuoteTheKey) {
  TempDir dir;
  const std::string path = dir.write("bad.yaml", "secrets: { openai-prod: [\"" + kRealKey + "\"] }\n", 0600);
  auto bad = SecretsFile::load(path, ::geteuid());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, path + ":1: secrets.openai-prod: expected the key as one string");
  const std::string broken = dir.write("broken.yaml", "secrets: { openai-prod: \"" + kRealKey + "\n", 0600);
  auto unparsable = SecretsFile::load(broken, ::geteuid());
  ASSERT_FALSE(unparsable.ok());
  EXPECT_EQ(unparsable.error().message.find(kRealKey), std::string::npos) << unparsable.error().message;
}

TEST(KeyBrokerTest, RealKeyOnlyForAllowedWorkloads) {
  auto set = buildSet(keyPolicy());
  TempDir dir;
  auto secrets = SecretsFile::load(dir.write("s.yaml", "secrets:\n  openai-prod: " + kRealKey + "\n"), ::geteuid());
  ASSERT_TRUE(set && secrets.ok());

  auto real = brokeredKey(*set, *secrets, requestFrom(kBot), "Bearer warden:openai-prod");
  ASSERT_TRUE(real.ok()) << real.error().message;
  EXPECT_EQ(*real, kRealKey);
  EXPECT_EQ(*brokeredKey(*set, *secrets, requestFrom(kBot), "warden:openai-prod"), kRealKey);  // x-api-key form

  auto refused = brokeredKey(*set, *secrets, requestFrom("system.slice/other.service"), "Bearer warden:openai-prod");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "workload 'system.slice/other.service' may not use brokered key 'openai-prod-key' (unit "
            "'system.slice/other.service' not in [system.slice/support-bot.service])");

  AccessRequest anthropic = requestFrom(kBot);
  anthropic.provider = "anthropic";
  EXPECT_EQ(brokeredKey(*set, *secrets, anthropic, "warden:openai-prod").error().message,
            "key 'openai-prod-key' is for provider openai, not anthropic");
  EXPECT_EQ(brokeredKey(*set, *secrets, requestFrom(kBot), "Bearer warden:nope").error().message,
            "no access policy key brokers secret 'nope'");
  EXPECT_EQ(brokeredKey(*set, *secrets, requestFrom(kBot), "Bearer sk-other").error().message,
            "the credential is not a warden:<secret> placeholder");
}

TEST(KeyBrokerTest, MissingSecretIsAnError) {
  auto set = buildSet(keyPolicy());
  SecretsFile empty;
  auto result = brokeredKey(*set, empty, requestFrom(kBot), "Bearer warden:openai-prod");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "secret 'openai-prod' of key 'openai-prod-key' is not in the secrets file");
}

TEST(KeyBrokerTest, PlaceholderForms) {
  EXPECT_EQ(placeholderSecret("Bearer warden:openai-prod"), "openai-prod");
  EXPECT_EQ(placeholderSecret("warden:a"), "a");
  EXPECT_EQ(placeholderSecret("Bearer warden:"), std::nullopt);
  EXPECT_EQ(placeholderSecret("Bearer sk-123"), std::nullopt);
}

}  // namespace
}  // namespace warden::access
