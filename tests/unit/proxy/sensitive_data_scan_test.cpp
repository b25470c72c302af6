// Layer 3's scan of a request's texts at the proxy: findings numbered as
// validation numbers texts, texts layer 1 rewrote scanned as rewritten, and
// the edits that mask them.
#include "proxy/sensitive_data_scan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "providers/adapter.h"
#include "providers/json_edit.h"
#include "providers/route.h"
#include "request_texts.h"

namespace warden::proxy {
namespace {

using providers::Role;
using testing::shippedScanner;
using testing::textMessage;

const std::string kKey = "AKIAQ3EGRXLHZ5N2TK7W";

TEST(SensitiveDataScanTest, FindingsNameTheirTextAndMaskingEditsReplaceOnlyThem) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  providers::Request request;
  request.messages.push_back(textMessage(Role::System, "You are a deployment helper.", "/messages/0/content"));
  request.messages.push_back(
      textMessage(Role::User, "Deploy with aws_access_key_id = " + kKey + " please", "/messages/1/content"));
  SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(request), {});
  ASSERT_FALSE(scan.failed()) << scan.record.error;
  ASSERT_EQ(scan.record.secrets, 1u);
  ASSERT_EQ(scan.record.findings.size(), 1u);
  const auto& finding = scan.record.findings[0];
  EXPECT_EQ(finding.text, 1u) << "the second text, as validation numbers them";
  EXPECT_EQ(finding.dataClass, "secret");
  const std::string& user = request.messages[1].parts[0].text.text;
  EXPECT_EQ(user.substr(finding.offset, finding.length), kKey);

  const auto edits = maskingEdits(scan);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].pointer, "/messages/1/content");
  EXPECT_EQ(edits[0].text.find(kKey), std::string::npos);
  EXPECT_EQ(edits[0].text.rfind("Deploy with aws_access_key_id = ", 0), 0u) << edits[0].text;
  EXPECT_NE(edits[0].text.find("[REDACTED:"), std::string::npos);
  EXPECT_EQ(scan.record.maskedTexts, 1u);
}

TEST(SensitiveDataScanTest, ATextLayerOneRewroteIsScannedAsRewritten) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  providers::Request request;
  // The client's text has a zero-width space inside the key; layer 1
  // forwards it without, so the key is whole in what would leave.
  const std::string smuggled = "key AKIAQ3EGRX\u200BLHZ5N2TK7W here";
  request.messages.push_back(textMessage(Role::User, smuggled, "/messages/0/content"));
  const std::vector<providers::TextEdit> sanitized{{"/messages/0/content", "key " + kKey + " here"}};
  SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(request), sanitized);
  ASSERT_EQ(scan.texts.size(), 1u);
  EXPECT_EQ(scan.texts[0].text, "key " + kKey + " here");
  const auto edits = maskingEdits(scan);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].text.find(kKey), std::string::npos) << edits[0].text;
}

// Anthropic's tool_use input is an object, read as its JSON text: a secret
// in it is masked and the object goes back as an object.
TEST(SensitiveDataScanTest, ASecretInAToolCallsObjectArgumentsIsMaskedInPlace) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  const std::string body =
      R"({"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"set up the CLI"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"shell",)"
      R"("input":{"command":"aws configure set aws_access_key_id )" + kKey + R"(","timeout":30}}]}]})";
  providers::Route messages;
  messages.provider = providers::Provider::Anthropic;
  messages.operation = providers::Operation::Messages;
  auto request = providers::anthropicAdapter().parseRequest(messages, body);
  ASSERT_TRUE(request) << request.error().message;
  SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(*request), {});
  ASSERT_FALSE(scan.failed()) << scan.record.error;
  ASSERT_EQ(scan.record.secrets, 1u);
  const auto edits = maskingEdits(scan);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].pointer, "/messages/1/content/0/input");

  auto forwarded = providers::applyEdits(body, edits);
  ASSERT_TRUE(forwarded) << forwarded.error().message;
  EXPECT_EQ(forwarded->find(kKey), std::string::npos) << *forwarded;
  const auto input = nlohmann::json::parse(*forwarded)["messages"][1]["content"][0]["input"];
  ASSERT_TRUE(input.is_object()) << *forwarded;
  EXPECT_EQ(input["timeout"], 30);
  EXPECT_EQ(input["command"].get<std::string>().rfind("aws configure set aws_access_key_id [REDACTED:", 0), 0u)
      << input.dump();
}

TEST(SensitiveDataScanTest, NothingFoundMeansNoEdits) {
  auto scanner = shippedScanner();
  ASSERT_TRUE(scanner);
  providers::Request request;
  request.messages.push_back(textMessage(Role::User, "What is the capital of France?", "/messages/0/content"));
  SensitiveScan scan = scanSensitiveData(*scanner, requestTexts(request), {});
  EXPECT_TRUE(scan.record.findings.empty());
  EXPECT_TRUE(maskingEdits(scan).empty());
  EXPECT_EQ(scan.record.maskedTexts, 0u);
}

}  // namespace
}  // namespace warden::proxy
