// Full capture: an opted-in workload's prompt and completion in its event,
// never with a secret or personal data in clear, and bounded in size.
#include "proxy/prompt_capture.h"

#include <gtest/gtest.h>

#include <string>

#include "request_texts.h"

namespace warden::proxy {
namespace {

using providers::Role;
using testing::shippedScanner;
using testing::textMessage;

const std::string kMail = "jane.roe@example.org";

TEST(PromptCaptureTest, ThePromptIsKeptPartByPartWithFindingsMasked) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  providers::Request request;
  request.messages.push_back(textMessage(Role::System, "You answer billing questions.", "/messages/0/content"));
  request.messages.push_back(textMessage(Role::User, "Send the invoice to " + kMail + " please", "/messages/1/content"));
  const SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(request), {});
  const audit::CaptureRecord record = capturePrompt("billing-review", requestTexts(request), {}, scan);
  EXPECT_EQ(record.entry, "billing-review");
  ASSERT_EQ(record.prompt.size(), 2u);
  EXPECT_EQ(record.prompt[0].part, "system");
  EXPECT_EQ(record.prompt[0].text, "You answer billing questions.");
  EXPECT_EQ(record.prompt[1].part, "user");
  EXPECT_EQ(record.prompt[1].text.find(kMail), std::string::npos) << record.prompt[1].text;
  EXPECT_NE(record.prompt[1].text.find("[REDACTED:"), std::string::npos);
  EXPECT_EQ(record.masked, 1u);
  EXPECT_FALSE(record.truncated);
}

TEST(PromptCaptureTest, TheCompletionIsScannedAndMaskedToo) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  audit::CaptureRecord record;
  captureCompletion(record, "Sure, I wrote to " + kMail + ".", *scanner);
  EXPECT_EQ(record.completion.find(kMail), std::string::npos) << record.completion;
  EXPECT_EQ(record.completion.rfind("Sure, I wrote to [REDACTED:", 0), 0u) << record.completion;
  EXPECT_EQ(record.masked, 1u);
}

TEST(PromptCaptureTest, AnEventKeepsAtMostItsShareAndSaysItWasCut) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  providers::Request request;
  // Multi-byte characters across the cut: it must not split one.
  std::string big;
  while (big.size() < kCapturedBytes + 100) big += "été ";
  request.messages.push_back(textMessage(Role::User, big, "/messages/0/content"));
  request.messages.push_back(textMessage(Role::User, "never reached", "/messages/1/content"));
  const SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(request), {});
  audit::CaptureRecord record = capturePrompt("all", requestTexts(request), {}, scan);
  ASSERT_EQ(record.prompt.size(), 1u);
  EXPECT_TRUE(record.truncated);
  EXPECT_LE(record.prompt[0].text.size(), kCapturedBytes);
  EXPECT_GT(record.prompt[0].text.size(), kCapturedBytes - 4);
  const unsigned char last = static_cast<unsigned char>(record.prompt[0].text.back());
  EXPECT_NE(last & 0xC0, 0x80u) << "no split UTF-8 sequence at the end";
  EXPECT_NE(last, 0xC3u);
  captureCompletion(record, "more text", *scanner);
  EXPECT_TRUE(record.completion.empty()) << "no room left";
}

TEST(PromptCaptureTest, ASecretStraddlingTheCutIsMaskedNotHalfKept) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  audit::CaptureRecord record;
  const std::string key = "AKIAQ3EGRXLHZ5N2TK7W";
  std::string completion(kCapturedBytes - 10, 'a');
  completion += " " + key + " tail";
  captureCompletion(record, completion, *scanner);
  EXPECT_TRUE(record.truncated);
  EXPECT_EQ(record.completion.find("AKIAQ3EGR"), std::string::npos) << "the key's head must not be kept";
}

TEST(PromptCaptureTest, AMaskShorterThanItsValueNeverPullsUnscannedTextIn) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  // A 9 KiB key block early shrinks to one mask; the text kept must still
  // end where the scan could vouch for it, not 9 KiB further on.
  std::string block = "-----BEGIN RSA PRIVATE KEY-----\n";
  while (block.size() < 9 * 1024) block += "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n";
  block += "-----END RSA PRIVATE KEY-----\n";
  std::string completion = block + std::string(kCapturedBytes - block.size() + 9000, 'b');
  completion += " AKIAQ3EGRXLHZ5N2TK7W";
  audit::CaptureRecord record;
  captureCompletion(record, completion, *scanner);
  EXPECT_TRUE(record.truncated);
  EXPECT_EQ(record.completion.find("MIIEowIBAAKCAQEA"), std::string::npos);
  EXPECT_EQ(record.completion.find("AKIA"), std::string::npos);
  EXPECT_LE(record.completion.size(), kCapturedBytes);
}

}  // namespace
}  // namespace warden::proxy
