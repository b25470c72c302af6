#include "layers/access/masking/sensitive_data_scanner.h"
#include "layers/access/masking/value_span.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace warden::masking {
namespace {

const SensitiveDataScanner& shipped() {
  static const auto scanner = [] {
    auto loaded = SensitiveDataScanner::load(std::string(WARDEN_POLICIES_DIR) + "/masking");
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? *loaded : nullptr;
  }();
  return *scanner;
}

std::vector<SensitiveMatch> scan(const std::string& text) {
  auto matches = shipped().scan(text);
  EXPECT_TRUE(matches.ok()) << matches.error().message;
  return matches.ok() ? *matches : std::vector<SensitiveMatch>{};
}

std::string masked(const std::string& text) { return maskText(text, scan(text)); }

// Deterministic random-looking characters, so no real-looking credential is
// written out in the source (and none is a documentation example).
std::string randomChars(size_t n, std::string_view alphabet, unsigned seed = 7) {
  std::string out;
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out += alphabet[x % alphabet.size()];
  }
  return out;
}

constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kHex = "0123456789abcdef";

TEST(SensitiveDataScannerTest, ShippedPackLoads) { EXPECT_GT(shipped().ruleCount(), 40u); }

// A text scanned again (a conversation resends its history) is answered from
// the thread's memory: the same matches as a scanner that remembers nothing,
// over texts repeated in another order, near-copies included.
TEST(SensitiveDataScannerTest, RememberedTextsGetTheSameMatchesAsFreshScans) {
  ScanLimits forgetful;
  forgetful.memoryBytesPerThread = 0;
  auto fresh = SensitiveDataScanner::load(std::string(WARDEN_POLICIES_DIR) + "/masking", forgetful);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  ScanLimits small;
  small.memoryBytesPerThread = 64 << 10;  // a few texts: generations turn over during the test
  auto remembering = SensitiveDataScanner::load(std::string(WARDEN_POLICIES_DIR) + "/masking", small);
  ASSERT_TRUE(remembering.ok()) << remembering.error().message;

  std::vector<std::string> texts;
  for (unsigned i = 0; i < 40; ++i) {
    texts.push_back("mail ops" + std::to_string(i) + "@example.com, key AKIA" + randomChars(16, kUpperDigits, i + 1) +
                    " " + std::string(i * 50, 'x'));
    texts.push_back(texts.back() + " ");  // differs by one byte
  }
  // Expected first: the memory is per thread and per scanner, so scanning
  // with the other scanner in between would empty it.
  std::vector<std::vector<SensitiveMatch>> expected;
  for (const std::string& text : texts) {
    auto matches = (*fresh)->scan(text);
    ASSERT_TRUE(matches.ok()) << matches.error().message;
    expected.push_back(std::move(matches.value()));
  }
  size_t found = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t k = 0; k < texts.size(); ++k) {
      const size_t i = (k * 7 + static_cast<size_t>(round)) % texts.size();
      auto got = (*remembering)->scan(texts[i]);
      ASSERT_TRUE(got.ok()) << got.error().message;
      ASSERT_EQ(got->size(), expected[i].size()) << texts[i];
      for (size_t m = 0; m < got->size(); ++m) {
        EXPECT_EQ((*got)[m].offset, expected[i][m].offset);
        EXPECT_EQ((*got)[m].length, expected[i][m].length);
        EXPECT_EQ((*got)[m].ruleId, expected[i][m].ruleId);
      }
      found += got->size();
    }
  }
  EXPECT_GT(found, texts.size() * 3) << "every text holds an address and a key";
}

struct Family {
  std::string token;
  std::string type;
};

TEST(SensitiveDataScannerTest, EachTokenFamilyIsFoundAndMaskedWhole) {
  const std::vector<Family> families = {
      {"AKIA" + randomChars(16, kUpperDigits, 1), "aws_access_key_id"},
      {"ghp_" + randomChars(36, kAlnum, 2), "github_token"},
      {"glpat-" + randomChars(20, kAlnum, 3), "gitlab_token"},
      {"xoxb-" + randomChars(12, "0123456789", 4) + "-" + randomChars(24, kAlnum, 5), "slack_token"},
      {"sk_live_" + randomChars(24, kAlnum, 6), "stripe_secret_key"},
      {"sk-proj-" + randomChars(20, kAlnum, 7) + "T3BlbkFJ" + randomChars(20, kAlnum, 8), "openai_api_key"},
      {"sk-ant-api03-" + randomChars(93, kAlnum, 9) + "AA", "anthropic_api_key"},
      {"AIza" + randomChars(35, kAlnum, 10), "google_api_key"},
      {"SG." + randomChars(22, kAlnum, 11) + "." + randomChars(43, kAlnum, 12), "sendgrid_api_key"},
      {"npm_" + randomChars(36, kAlnum, 13), "npm_token"},
      {"pypi-AgEIcHlwaS5vcmc" + randomChars(60, kAlnum, 14), "pypi_token"},
      {"hf_" + randomChars(34, kAlnum, 15), "huggingface_token"},
      {"SK" + randomChars(32, kHex, 16), "twilio_api_key"},
      {"abc8Q~" + randomChars(34, kAlnum, 17), "azure_client_secret"},
      {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + randomChars(43, kAlnum, 18), "jwt"},
  };
  for (const Family& f : families) {
    const std::string text = "config uses " + f.token + " today";
    const auto matches = scan(text);
    ASSERT_EQ(matches.size(), 1u) << f.type << ": " << text;
    EXPECT_EQ(matches[0].type, f.type) << text;
    EXPECT_EQ(matches[0].dataClass, DataClass::Secret);
    EXPECT_EQ(text.substr(matches[0].offset, matches[0].length), f.token) << f.type;
    EXPECT_EQ(maskText(text, matches), "config uses [REDACTED:" + f.type + "] today");
  }
}

TEST(SensitiveDataScannerTest, PrivateKeyBlockIsMaskedWhole) {
  const std::string body = randomChars(64, kAlnum, 20) + "\n" + randomChars(64, kAlnum, 21) + "\n";
  const std::string block = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "-----END OPENSSH PRIVATE KEY-----";
  EXPECT_EQ(masked("key:\n" + block + "\nthanks"), "key:\n[REDACTED:private_key]\nthanks");
  // In a JSON string the line breaks are escapes; the block still ends at END.
  const std::string json = R"({"private_key": "-----BEGIN PRIVATE KEY-----\n)" + randomChars(64, kAlnum, 22) +
                           R"(\n-----END PRIVATE KEY-----\n", "x": 1})";
  // (The escaped line break after END overlaps another candidate: the mask covers both.)
  EXPECT_EQ(masked(json), R"({"private_key": "[REDACTED:private_key]", "x": 1})");
  // A BEGIN line alone is documentation, not a key.
  EXPECT_TRUE(scan("files start with -----BEGIN RSA PRIVATE KEY----- and then base64").empty());
}

TEST(SensitiveDataScannerTest, AssignmentsMaskTheValueOnly) {
  EXPECT_EQ(masked("db_password = \"n84ASM54y4\""), "db_password = \"[REDACTED:password]\"");
  EXPECT_EQ(masked("{\"apiSecret\": \"Zq8#kLm2Vx9!\"}"), "{\"apiSecret\": \"[REDACTED:secret]\"}");
  EXPECT_EQ(masked("export AUTH_TOKEN=f3Kd9QmZ2pL8xV"), "export AUTH_TOKEN=[REDACTED:secret]");
  EXPECT_EQ(masked("password: dipPr121Gg! and more"), "password: [REDACTED:password] and more");
  EXPECT_EQ(masked("$conf['pass'] => 'Tr0ub4dor&3x';"), "$conf['pass'] => '[REDACTED:password]';");
}

// A long token, a signed URL or a key file in base64 assigned to a name is
// masked whole, quoted or not, up to kMaxValueBytes.
TEST(SensitiveDataScannerTest, LongAssignedValuesAreMaskedWhole) {
  const std::string token = randomChars(1500, kAlnum, 11);
  EXPECT_EQ(masked("export AUTH_TOKEN=" + token + " next"), "export AUTH_TOKEN=[REDACTED:secret] next");
  EXPECT_EQ(masked("{\"client_secret\": \"" + token + "\"}"), "{\"client_secret\": \"[REDACTED:secret]\"}");
  // Beyond the bound the value is not read as one: nothing is masked halfway.
  const std::string endless = randomChars(kMaxValueBytes + 100, kAlnum, 12);
  EXPECT_EQ(masked("export AUTH_TOKEN=" + endless), "export AUTH_TOKEN=" + endless);
}

TEST(SensitiveDataScannerTest, ConnectionStringsHeadersAndCommandsMaskTheCredential) {
  // "Sup3rS3cr3t@db.internal" is e-mail-shaped too: the mask covers both,
  // named after the stronger.
  EXPECT_EQ(masked("postgres://app:Sup3rS3cr3t@db.internal:5432/app"), "postgres://app:[REDACTED:password]:5432/app");
  EXPECT_EQ(masked("curl -u admin:Pa55w0rd! https://api.internal/"),
            "curl -u admin:[REDACTED:password] https://api.internal/");
  const std::string bearer = randomChars(40, kAlnum, 30);
  EXPECT_EQ(masked("-H 'Authorization: Bearer " + bearer + "'"),
            "-H 'Authorization: Bearer [REDACTED:http_authorization]'");
  EXPECT_EQ(masked("Authorization: Basic dXNlcjpQYTU1dzByZCE="), "Authorization: Basic [REDACTED:http_authorization]");
  // A URL with a port and no credentials is left alone.
  EXPECT_TRUE(scan("see https://host.example:8443/path").empty());
}

TEST(SensitiveDataScannerTest, PlaceholdersEmptyValuesAndCodeAreNotMasked) {
  for (const char* text : {
           "password = \"\"",
           "token = None",
           "password = getPassword()",
           "api_key = \"<your-key>\"",
           "secret: xxxxxxxxxxxx",
           "password = \"changeme\"",
           "password: ${DB_PASSWORD}",
           "self.password = password",
           "token = os.environ[\"TOKEN\"]",
           "max_tokens: 1024",
           "the password field is required",
           "Reset your password: click the link.",
       }) {
    EXPECT_TRUE(scan(text).empty()) << text;
  }
}

TEST(SensitiveDataScannerTest, UuidsAreSecretsOnlyWhenKeywordGated) {
  const std::string uuid = "3f2b8c1e-9d4a-4e7b-8a6c-5d1e2f3a4b5c";
  EXPECT_TRUE(scan("request " + uuid + " finished in 20 ms").empty());
  const auto matches = scan("client_secret = \"" + uuid + "\"");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].dataClass, DataClass::Secret);
}

TEST(SensitiveDataScannerTest, PersonalDataIsValidatedNotJustDigits) {
  EXPECT_EQ(masked("card 4111 1111 1111 1111, exp 12/29"), "card [REDACTED:credit_card], exp 12/29");
  EXPECT_TRUE(scan("order 4111 1111 1111 1112 shipped").empty());  // fails Luhn
  EXPECT_EQ(masked("IBAN: DE89 3704 0044 0532 0130 00."), "IBAN: [REDACTED:iban].");
  for (const auto& m : scan("ref DE89 3704 0044 0532 0130 01")) EXPECT_NE(m.type, "iban");  // fails mod-97
  EXPECT_EQ(masked("SSN 536-22-1234"), "SSN [REDACTED:us_ssn]");
  EXPECT_TRUE(scan("part 666-22-1234").empty());
  EXPECT_EQ(masked("mail jane.doe@example.org now"), "mail [REDACTED:email_address] now");
  EXPECT_EQ(masked("call +44 20 7946 0958 or (555) 123-4567"),
            "call [REDACTED:phone_number] or [REDACTED:phone_number]");
  EXPECT_EQ(masked("from 10.20.30.40 and 2001:db8::8a2e:370:7334"),
            "from [REDACTED:ip_address] and [REDACTED:ip_address]");
  for (const char* text :
       {"version 1.2.3.4000", "it costs 1234567 dollars", "at 12:30:45 UTC", "year 2024, 300 items", "id 5551234567"}) {
    EXPECT_TRUE(scan(text).empty()) << text;
  }
}

TEST(SensitiveDataScannerTest, OffsetsAreBytesAfterMultibyteText) {
  const std::string prefix = "Grüße, 你好 — ";  // 2-, 3- and 3-byte characters
  const std::string text = prefix + "mail jane@example.org";
  const auto matches = scan(text);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset, prefix.size() + 5);
  EXPECT_EQ(matches[0].length, std::string("jane@example.org").size());
  EXPECT_EQ(maskText(text, matches), prefix + "mail [REDACTED:email_address]");
}

TEST(SensitiveDataScannerTest, OverlappingMatchesAreMergedKeepingTheStronger) {
  // "Xy9pw7Q@mail.host.org" is also e-mail-shaped; on equal confidence the secret wins.
  const auto matches = scan("smtp://bob:Xy9pw7Q@mail.host.org");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].type, "password");
  EXPECT_EQ(matches[0].offset, 11u);
  // A key block wins over the tokens inside it.
  const std::string block = "-----BEGIN RSA PRIVATE KEY-----\nghp_" + randomChars(36, kAlnum, 40) + "\n" +
                            randomChars(64, kAlnum, 41) + "\n-----END RSA PRIVATE KEY-----";
  const auto inBlock = scan(block);
  ASSERT_EQ(inBlock.size(), 1u);
  EXPECT_EQ(inBlock[0].type, "private_key");
  EXPECT_EQ(inBlock[0].length, block.size());
  // Matches come sorted and never overlap.
  const auto many = scan("a@b.io 10.0.0.1 ghp_" + randomChars(36, kAlnum, 42) + " 536-22-1234 c@d.io");
  ASSERT_EQ(many.size(), 5u);
  for (size_t i = 1; i < many.size(); ++i) EXPECT_LE(many[i - 1].offset + many[i - 1].length, many[i].offset);
}

TEST(SensitiveDataScannerTest, AMatchIsCheckedOnItsOwnNotFoldedIntoItsNeighbour) {
  // Two card-shaped runs of one rule overlap; folded together they would be
  // 19 digits that fail Luhn and the real card would go unmasked.
  for (const std::string text : {"card 4111 1111 1111 1111 123", "card 4111 1111 1111 1111 0925"}) {
    const std::string out = masked(text);
    EXPECT_EQ(out.find("4111 1111 1111 1111"), std::string::npos) << out;
  }
}

TEST(SensitiveDataScannerTest, OverlappingMatchesAreMaskedOverTheirUnion) {
  const std::string text = "password = \"Xk9#mq2@corp.acme.io\"";
  const std::string out = masked(text);
  EXPECT_EQ(out.find("Xk9#"), std::string::npos) << out;
  EXPECT_EQ(out.find("corp.acme.io"), std::string::npos) << out;
}

TEST(SensitiveDataScannerTest, ATextOverTheMatchLimitFailsTheScan) {
  auto limited = SensitiveDataScanner::load(std::string(WARDEN_POLICIES_DIR) + "/masking", ScanLimits{3});
  ASSERT_TRUE(limited.ok()) << limited.error().message;
  std::string text;
  for (int i = 0; i < 50; ++i) text += "user" + std::to_string(i) + "@mail.org ";
  auto matches = (*limited)->scan(text);
  ASSERT_FALSE(matches.ok()) << "a partial answer would leave values unmasked";
  EXPECT_EQ(matches.error().message, "sensitive data scan: more than 3 matches in one text");
  auto few = (*limited)->scan("a@mail.org b@mail.org");
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->size(), 2u);
}

TEST(SensitiveDataScannerTest, LargeTextsCompleteInBoundedTime) {
  std::string mixed;
  while (mixed.size() < 1024 * 1024) {
    mixed += "Lorem ipsum dolor sit amet, 42 items at 3.50 each; ref 2024-05-01, user alice, id 77. ";
  }
  mixed += "token = \"" + randomChars(32, kAlnum, 50) + "\"";
  const auto start = std::chrono::steady_clock::now();
  const auto matches = scan(mixed);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].offset + matches[0].length + 1, mixed.size());
  for (char c : {'a', '1', '.', '@', ':'}) {
    auto one = shipped().scan(std::string(10 * 1024 * 1024, c));
    ASSERT_TRUE(one.ok()) << c;
    EXPECT_TRUE(one->empty()) << c;
  }
  // Generous: a regression to per-byte work on long runs would take minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

}  // namespace
}  // namespace warden::masking
