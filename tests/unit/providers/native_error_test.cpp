#include "providers/native_error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace warden::providers {
namespace {

using nlohmann::json;

const std::string kMessage = "Request blocked by warden: secret in prompt (event ev-42)";

TEST(NativeError, OpenAiShape) {
  const ErrorReply reply = errorReply(Provider::OpenAI, Refusal::Forbidden, "secret in prompt", "ev-42");
  EXPECT_EQ(reply.status, 403u);
  EXPECT_EQ(reply.contentType, "application/json");
  const json body = json::parse(reply.body);
  ASSERT_EQ(body.size(), 1u);
  const json& error = body.at("error");
  ASSERT_EQ(error.size(), 4u);
  EXPECT_EQ(error.at("message"), kMessage);
  EXPECT_EQ(error.at("type"), "permission_denied");
  EXPECT_EQ(error.at("code"), "warden_blocked");
  EXPECT_TRUE(error.at("param").is_null());
}

TEST(NativeError, OpenAiStatusesAndTypesAgree) {
  struct Case {
    Refusal refusal;
    unsigned status;
    const char* type;
    const char* code;
  };
  for (const Case& c : {Case{Refusal::Forbidden, 403, "permission_denied", "warden_blocked"},
                        Case{Refusal::TooLarge, 413, "invalid_request_error", "warden_request_too_large"},
                        Case{Refusal::BadRequest, 400, "invalid_request_error", "warden_bad_request"},
                        Case{Refusal::RateLimited, 429, "rate_limit_exceeded", "warden_rate_limited"},
                        Case{Refusal::UpstreamFailure, 502, "server_error", "warden_upstream_failure"}}) {
    for (const Provider provider : {Provider::OpenAI, Provider::AzureOpenAI, Provider::Unknown}) {
      const ErrorReply reply = errorReply(provider, c.refusal, "why", "e1");
      EXPECT_EQ(reply.status, c.status) << c.type;
      const json error = json::parse(reply.body).at("error");
      EXPECT_EQ(error.at("type"), c.type);
      EXPECT_EQ(error.at("code"), c.code);
    }
  }
  EXPECT_EQ(json::parse(errorReply(Provider::OpenAI, Refusal::UpstreamFailure, "api.openai.com unreachable", "e9").body)
                .at("error")
                .at("message"),
            "Request could not be completed by warden: api.openai.com unreachable (event e9)");
}

TEST(NativeError, AnthropicShape) {
  const ErrorReply reply = errorReply(Provider::Anthropic, Refusal::Forbidden, "secret in prompt", "ev-42");
  EXPECT_EQ(reply.status, 403u);
  const json body = json::parse(reply.body);
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body.at("type"), "error");
  ASSERT_EQ(body.at("error").size(), 2u);
  EXPECT_EQ(body.at("error").at("type"), "permission_error");
  EXPECT_EQ(body.at("error").at("message"), kMessage);

  EXPECT_EQ(json::parse(errorReply(Provider::Anthropic, Refusal::TooLarge, "r", "e").body)["error"]["type"],
            "request_too_large");
  EXPECT_EQ(errorReply(Provider::Anthropic, Refusal::TooLarge, "r", "e").status, 413u);
  EXPECT_EQ(json::parse(errorReply(Provider::Anthropic, Refusal::BadRequest, "r", "e").body)["error"]["type"],
            "invalid_request_error");
  EXPECT_EQ(json::parse(errorReply(Provider::Anthropic, Refusal::RateLimited, "r", "e").body)["error"]["type"],
            "rate_limit_error");
  EXPECT_EQ(errorReply(Provider::Anthropic, Refusal::RateLimited, "r", "e").status, 429u);
  EXPECT_EQ(json::parse(errorReply(Provider::Anthropic, Refusal::UpstreamFailure, "r", "e").body)["error"]["type"],
            "api_error");
}

TEST(NativeError, GeminiShape) {
  const ErrorReply reply = errorReply(Provider::Gemini, Refusal::Forbidden, "secret in prompt", "ev-42");
  EXPECT_EQ(reply.status, 403u);
  const json body = json::parse(reply.body);
  ASSERT_EQ(body.size(), 1u);
  const json& error = body.at("error");
  ASSERT_EQ(error.size(), 3u);
  EXPECT_EQ(error.at("code"), 403);  // a number, as Google APIs send it
  EXPECT_TRUE(error.at("code").is_number_integer());
  EXPECT_EQ(error.at("message"), kMessage);
  EXPECT_EQ(error.at("status"), "PERMISSION_DENIED");

  const json limited = json::parse(errorReply(Provider::Gemini, Refusal::RateLimited, "r", "e").body)["error"];
  EXPECT_EQ(limited["code"], 429);
  EXPECT_EQ(limited["status"], "RESOURCE_EXHAUSTED");
  const json bad = json::parse(errorReply(Provider::Gemini, Refusal::BadRequest, "r", "e").body)["error"];
  EXPECT_EQ(bad["code"], 400);
  EXPECT_EQ(bad["status"], "INVALID_ARGUMENT");
  const json upstream = json::parse(errorReply(Provider::Gemini, Refusal::UpstreamFailure, "r", "e").body)["error"];
  EXPECT_EQ(upstream["code"], 502);
  EXPECT_EQ(upstream["status"], "UNAVAILABLE");
}

TEST(NativeError, OllamaShape) {
  const ErrorReply reply = errorReply(Provider::Ollama, Refusal::RateLimited, "budget spent", "ev-7");
  EXPECT_EQ(reply.status, 429u);
  const json body = json::parse(reply.body);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body.at("error"), "Request blocked by warden: budget spent (event ev-7)");
}

TEST(NativeError, MessageWithoutReasonOrEvent) {
  EXPECT_EQ(json::parse(errorReply(Provider::Ollama, Refusal::Forbidden, "", "").body)["error"],
            "Request blocked by warden");
  EXPECT_EQ(json::parse(errorReply(Provider::Ollama, Refusal::Forbidden, "r", "").body)["error"],
            "Request blocked by warden: r");
}

TEST(NativeError, ReasonIsEscapedAndInvalidUtf8Replaced) {
  const ErrorReply quoted = errorReply(Provider::OpenAI, Refusal::Forbidden, "found \"}\n{", "e");
  EXPECT_EQ(json::parse(quoted.body)["error"]["message"], "Request blocked by warden: found \"}\n{ (event e)");
  const ErrorReply invalid = errorReply(Provider::OpenAI, Refusal::Forbidden, "bad \xff byte", "e");
  const json body = json::parse(invalid.body);  // still valid JSON
  EXPECT_EQ(body["error"]["message"], "Request blocked by warden: bad \xEF\xBF\xBD byte (event e)");
}

TEST(NativeError, OpenAiStreamEventIsADataEventWithAnError) {
  const std::string event = streamErrorEvent(Provider::OpenAI, Refusal::Forbidden, "secret in output", "ev-9");
  ASSERT_EQ(event.rfind("data: ", 0), 0u) << event;
  ASSERT_GE(event.size(), 2u);
  EXPECT_EQ(event.substr(event.size() - 2), "\n\n");
  EXPECT_EQ(event.find("event:"), std::string::npos);
  const json data = json::parse(event.substr(6, event.size() - 8));
  EXPECT_EQ(data["error"]["message"], "Request blocked by warden: secret in output (event ev-9)");
  EXPECT_EQ(data["error"]["type"], "permission_denied");
  EXPECT_EQ(data["error"]["code"], "warden_blocked");
  // One event: no blank line inside.
  EXPECT_EQ(event.find("\n\n"), event.size() - 2);
}

TEST(NativeError, AnthropicStreamEventIsAnErrorEvent) {
  const std::string event = streamErrorEvent(Provider::Anthropic, Refusal::Forbidden, "secret", "ev-1");
  const std::string prefix = "event: error\ndata: ";
  ASSERT_EQ(event.rfind(prefix, 0), 0u) << event;
  EXPECT_EQ(event.substr(event.size() - 2), "\n\n");
  const json data = json::parse(event.substr(prefix.size(), event.size() - prefix.size() - 2));
  EXPECT_EQ(data["type"], "error");
  EXPECT_EQ(data["error"]["type"], "permission_error");
  EXPECT_EQ(data["error"]["message"], "Request blocked by warden: secret (event ev-1)");
}

TEST(NativeError, GeminiStreamEventIsADataEventWithItsError) {
  const std::string event = streamErrorEvent(Provider::Gemini, Refusal::Forbidden, "secret", "ev-2");
  ASSERT_EQ(event.rfind("data: ", 0), 0u);
  const json data = json::parse(event.substr(6, event.size() - 8));
  EXPECT_EQ(data["error"]["code"], 403);
  EXPECT_EQ(data["error"]["status"], "PERMISSION_DENIED");
  EXPECT_EQ(data["error"]["message"], "Request blocked by warden: secret (event ev-2)");
}

TEST(NativeError, OllamaStreamEventIsOneJsonLine) {
  const std::string line = streamErrorEvent(Provider::Ollama, Refusal::Forbidden, "secret", "ev-3");
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(json::parse(line)["error"], "Request blocked by warden: secret (event ev-3)");
}

}  // namespace
}  // namespace warden::providers
