// A response refused while it streams: nothing more is read from the
// upstream, whose connection is closed, and the client's body ends with the
// provider's own error event and a clean end of the chunked body, after
// which the client connection ends too. Driven through forwardRequest() with
// a test judge, against the scripted upstream (exchange_rig.h).
#include <nlohmann/json.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <exception>
#include <functional>
#include <memory_resource>
#include <string>
#include <vector>

#include "providers/adapter.h"
#include "providers/native_error.h"
#include "providers/route.h"
#include "proxy/http_exchange.h"
#include "proxy/http_io.h"
#include "proxy/proxy_shared.h"
#include "proxy/response_inspection.h"
#include "proxy/worker_context.h"
#include "exchange_rig.h"
#include "proxy_test_support.h"
#include "scripted_upstream.h"

namespace warden::proxy::test {
namespace {

const std::string kEventId = "evt-refusal-test";
const std::string kReason = "the output names a secret";

// Refuses when shown the body's piece number `refuseAtPiece` (from 1; 0:
// at the head), and keeps the text of the response it was shown each time.
class PieceJudge {
 public:
  explicit PieceJudge(int refuseAtPiece) : refuseAtPiece_(refuseAtPiece) {}

  ResponseJudge judge() {
    return [this](const providers::Response& soFar) {
      texts_.push_back(soFar.text);
      const bool refuse = static_cast<int>(texts_.size()) > refuseAtPiece_;
      return refuse ? ResponseDecision{false, kReason} : ResponseDecision{};
    };
  }
  // One per call, the head's first.
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  int refuseAtPiece_;
  std::vector<std::string> texts_;
};

std::string sse(const std::string& data) { return "data: " + data + "\n\n"; }

std::string openAiDelta(const std::string& content) {
  return sse(
      R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":")" +
      content + R"("}}]})");
}

const std::vector<std::string> kOpenAiEvents = {
    openAiDelta("Hel"),
    openAiDelta("lo"),
    openAiDelta(" the secret is 42"),
    sse(R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})") +
        sse("[DONE]"),
};

const std::string kChatRequest = R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true})";

std::string anthropicEvent(const std::string& type, const std::string& data) {
  return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string anthropicDelta(const std::string& text) {
  return anthropicEvent(
      "content_block_delta",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":")" + text + R"("}})");
}

const std::vector<std::string> kAnthropicEvents = {
    anthropicEvent(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
        R"("model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}})"),
    anthropicEvent("content_block_start",
                   R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
    anthropicDelta("Hello"),
    anthropicDelta(" the secret is 42"),
    anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        anthropicEvent("message_stop", R"({"type":"message_stop"})"),
};

const std::string kMessagesRequest =
    R"({"model":"claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]})";

class ResponseRefusalTest : public ::testing::Test {
 protected:
  // A response inspection for the route, judged by `judge`, as the session sets it up.
  ResponseInspection& inspect(const std::string& host, const std::string& target, PieceJudge& judge) {
    route_ = providers::route(host, "POST", target);
    const providers::Adapter* adapter = providers::adapterFor(route_);
    EXPECT_NE(adapter, nullptr) << target;
    inspection_.emplace(*adapter, route_);
    inspection_->judgeWith(judge.judge(), kEventId);
    return *inspection_;
  }

  // The upstream's connection was closed by the proxy, not kept or pooled.
  void expectUpstreamClosed() {
    EXPECT_EQ(rig_.pool().idleCount(), 0u) << "a refused response's connection must never be pooled";
    // Let the upstream send what it still holds, into a connection that is gone.
    for (int i = 0; i < 8; ++i) upstream_.release();
    EXPECT_TRUE(eventually([&] { return upstream_.endedConnections() == 1; }))
        << "the upstream connection must be closed";
    EXPECT_EQ(upstream_.connections(), 1);
  }

  ScriptedUpstream upstream_;
  ExchangeRig rig_;
  providers::Route route_;
  std::optional<ResponseInspection> inspection_;
};

TEST_F(ResponseRefusalTest, AnOpenAiStreamRefusedAfterTwoPiecesEndsWithItsErrorEventAndACleanEnd) {
  upstream_.respond(chunkedPieces("text/event-stream", kOpenAiEvents));
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(2);
  auto& tap = inspect("api.openai.com", "/v1/chat/completions", judge);

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &tap, paceBy(upstream_, kOpenAiEvents));

  const std::string errorEvent =
      providers::streamErrorEvent(providers::Provider::OpenAI, providers::Refusal::Forbidden, kReason, kEventId);
  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << "the chunked body must end cleanly:\n" << result.received;
  EXPECT_EQ(parsed.status, 200u);
  EXPECT_EQ(parsed.body, kOpenAiEvents[0] + kOpenAiEvents[1] + errorEvent);
  EXPECT_TRUE(result.received.ends_with(ScriptedUpstream::chunk(errorEvent) + "0\r\n\r\n")) << result.received;
  EXPECT_EQ(result.received.find("secret is 42"), std::string::npos) << "nothing after the refusal is relayed";

  // The event is the one the OpenAI SDKs raise on: a data event with an error object.
  ASSERT_TRUE(errorEvent.starts_with("data: ") && errorEvent.ends_with("\n\n"));
  const auto error = nlohmann::json::parse(errorEvent.substr(6));
  EXPECT_EQ(error["error"]["type"], "permission_denied");
  const std::string message = error["error"]["message"];
  EXPECT_NE(message.find(kReason), std::string::npos) << message;
  EXPECT_NE(message.find(kEventId), std::string::npos) << message;

  // The judge saw the response assembled so far: nothing at the head, then each delta.
  EXPECT_EQ(judge.texts(), (std::vector<std::string>{"", "Hel", "Hello"}));
  const auto& outcome = result.outcome;
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->reason, kReason);
  EXPECT_FALSE(outcome.keepClient) << "the client connection ends after a refused response";
  EXPECT_EQ(outcome.status, 200);
  EXPECT_NE(outcome.error.find(kReason), std::string::npos) << outcome.error;
  EXPECT_EQ(outcome.bytesToClient, result.received.size());
  EXPECT_EQ(inspection_->record()->model, "gpt-4o");
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, AnAnthropicStreamRefusedAfterThreePiecesEndsWithItsErrorEvent) {
  upstream_.respond(chunkedPieces("text/event-stream; charset=utf-8", kAnthropicEvents));
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(3);
  auto& tap = inspect("api.anthropic.com", "/v1/messages", judge);

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/messages", "api.anthropic.com", kMessagesRequest),
                                    &tap, paceBy(upstream_, kAnthropicEvents));

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << result.received;
  const std::string errorEvent =
      providers::streamErrorEvent(providers::Provider::Anthropic, providers::Refusal::Forbidden, kReason, kEventId);
  EXPECT_EQ(parsed.body, kAnthropicEvents[0] + kAnthropicEvents[1] + kAnthropicEvents[2] + errorEvent);

  // Anthropic's own stream error: an `error` event with its error object.
  const std::string prefix = "event: error\ndata: ";
  ASSERT_TRUE(errorEvent.starts_with(prefix)) << errorEvent;
  const auto error = nlohmann::json::parse(errorEvent.substr(prefix.size()));
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"]["type"], "permission_error");
  EXPECT_NE(error["error"]["message"].get<std::string>().find(kEventId), std::string::npos);

  EXPECT_EQ(judge.texts(), (std::vector<std::string>{"", "", "", "Hello"}));
  ASSERT_TRUE(result.outcome.refusal.has_value());
  EXPECT_EQ(result.outcome.refusal->eventId, kEventId);
  EXPECT_FALSE(result.outcome.keepClient);
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, ARefusalAtTheHeadAnswersWithTheProviderErrorInsteadOfTheResponse) {
  upstream_.respond(chunkedPieces("text/event-stream", kAnthropicEvents));
  PieceJudge judge(0);
  auto& tap = inspect("api.anthropic.com", "/v1/messages", judge);

  const auto result =
      rig_.exchange(upstream_.endpoint(), post("/v1/messages", "api.anthropic.com", kMessagesRequest), &tap);

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << result.received;
  EXPECT_EQ(parsed.status, 403u);
  EXPECT_NE(result.received.find("Connection: close"), std::string::npos) << result.received;
  EXPECT_EQ(result.received.find("message_start"), std::string::npos) << "nothing of the upstream's answer";
  const auto body = nlohmann::json::parse(parsed.body);
  EXPECT_EQ(body["type"], "error") << parsed.body;
  EXPECT_EQ(body["error"]["type"], "permission_error");
  const std::string message = body["error"]["message"];
  EXPECT_NE(message.find(kReason), std::string::npos) << message;
  EXPECT_NE(message.find(kEventId), std::string::npos) << message;

  EXPECT_EQ(judge.texts().size(), 1u) << "refused at the head, before any piece";
  ASSERT_TRUE(result.outcome.refusal.has_value());
  EXPECT_EQ(result.outcome.status, 403);
  EXPECT_FALSE(result.outcome.keepClient);
  EXPECT_EQ(rig_.pool().idleCount(), 0u);
  EXPECT_TRUE(eventually([&] { return upstream_.endedConnections() == 1; }));
}

TEST_F(ResponseRefusalTest, AGeminiArrayStreamEndsWithAnErrorElementAndItsClosingBracket) {
  const auto part = [](const std::string& text) {
    return R"({"candidates":[{"content":{"parts":[{"text":")" + text + R"("}],"role":"model"}}]})";
  };
  const std::vector<std::string> elements = {"[" + part("Hel"), "\n,\r\n" + part("lo"),
                                             "\n,\r\n" + part(" the secret is 42"), "\n]"};
  upstream_.respond(chunkedPieces("application/json; charset=UTF-8", elements));
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(2);
  auto& tap =
      inspect("generativelanguage.googleapis.com", "/v1beta/models/gemini-2.0-flash:streamGenerateContent", judge);

  const auto result =
      rig_.exchange(upstream_.endpoint(),
                    post("/v1beta/models/gemini-2.0-flash:streamGenerateContent", "generativelanguage.googleapis.com",
                         R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})"),
                    &tap, paceBy(upstream_, elements));

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << result.received;
  EXPECT_TRUE(parsed.body.starts_with(elements[0] + elements[1])) << parsed.body;
  // The client reads one whole JSON array, the error as its last element.
  const auto array = nlohmann::json::parse(parsed.body);
  ASSERT_TRUE(array.is_array());
  ASSERT_EQ(array.size(), 3u);
  ASSERT_TRUE(array[2].contains("error")) << array[2];
  EXPECT_EQ(array[2]["error"]["code"], 403);
  EXPECT_EQ(array[2]["error"]["status"], "PERMISSION_DENIED");
  EXPECT_EQ(judge.texts().back(), "Hello");
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, AnOllamaLineStreamEndsWithAnErrorLine) {
  const std::vector<std::string> lines = {
      R"({"model":"llama3","message":{"role":"assistant","content":"Hel"},"done":false})"
      "\n",
      R"({"model":"llama3","message":{"role":"assistant","content":" the secret is 42"},"done":false})"
      "\n",
      R"({"model":"llama3","message":{"role":"assistant","content":""},"done":true})"
      "\n"};
  upstream_.respond(chunkedPieces("application/x-ndjson", lines));
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(1);
  auto& tap = inspect("localhost", "/api/chat", judge);

  const auto result =
      rig_.exchange(upstream_.endpoint(), post("/api/chat", "localhost", R"({"model":"llama3","messages":[]})"), &tap,
                    paceBy(upstream_, lines));

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete) << result.received;
  ASSERT_TRUE(parsed.body.starts_with(lines[0])) << parsed.body;
  const std::string last = parsed.body.substr(lines[0].size());
  ASSERT_TRUE(last.ends_with("\n")) << last;
  EXPECT_EQ(last.find('\n'), last.size() - 1) << "one line";
  const auto error = nlohmann::json::parse(last);
  ASSERT_TRUE(error.contains("error") && error["error"].is_string()) << last;
  EXPECT_NE(error["error"].get<std::string>().find(kReason), std::string::npos) << last;
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, ABodyWithAContentLengthIsCutByClosingTheConnection) {
  const std::string body = kOpenAiEvents[0] + kOpenAiEvents[1];
  upstream_.respond({"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + kOpenAiEvents[0],
                     kOpenAiEvents[1]});
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(1);
  auto& tap = inspect("api.openai.com", "/v1/chat/completions", judge);

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &tap, paceBy(upstream_, kOpenAiEvents));

  const auto parsed = parseResponse(result.received);
  EXPECT_FALSE(parsed.complete) << "the client must see the body cut short, not a complete one";
  EXPECT_EQ(parsed.body, kOpenAiEvents[0]) << "no other bytes than the upstream's within its length";
  ASSERT_TRUE(result.outcome.refusal.has_value());
  EXPECT_FALSE(result.outcome.keepClient);
  EXPECT_NE(result.outcome.error.find("Content-Length"), std::string::npos) << result.outcome.error;
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, APieceEndingInsideAnEventIsNotFollowedByTheErrorEvent) {
  const std::string half = kOpenAiEvents[1].substr(0, 30);
  const std::vector<std::string> pieces = {kOpenAiEvents[0] + half, kOpenAiEvents[1].substr(30)};
  upstream_.respond(chunkedPieces("text/event-stream", pieces));
  upstream_.holdBeforeEachPiece();
  PieceJudge judge(1);
  auto& tap = inspect("api.openai.com", "/v1/chat/completions", judge);

  const auto result = rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest),
                                    &tap, paceBy(upstream_, pieces));

  const auto parsed = parseResponse(result.received);
  EXPECT_FALSE(parsed.complete) << "appended to half an event, the error would corrupt it: the stream is cut";
  EXPECT_EQ(parsed.body, pieces[0]);
  EXPECT_EQ(result.received.find("warden"), std::string::npos) << result.received;
  ASSERT_TRUE(result.outcome.refusal.has_value());
  EXPECT_TRUE(result.outcome.refusal->ending.empty());
  EXPECT_FALSE(result.outcome.keepClient);
  expectUpstreamClosed();
}

TEST_F(ResponseRefusalTest, AnAllowedStreamIsRelayedWholeAndItsConnectionPooled) {
  upstream_.respond(chunkedPieces("text/event-stream", kOpenAiEvents));
  PieceJudge judge(100);
  auto& tap = inspect("api.openai.com", "/v1/chat/completions", judge);

  const auto result =
      rig_.exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", kChatRequest), &tap);

  const auto parsed = parseResponse(result.received);
  EXPECT_TRUE(parsed.complete);
  EXPECT_EQ(parsed.body, kOpenAiEvents[0] + kOpenAiEvents[1] + kOpenAiEvents[2] + kOpenAiEvents[3]);
  EXPECT_FALSE(result.outcome.refusal.has_value());
  EXPECT_TRUE(result.outcome.keepClient);
  EXPECT_TRUE(result.outcome.error.empty()) << result.outcome.error;
  EXPECT_EQ(rig_.pool().idleCount(), 1u) << "the control case: a clean exchange keeps its upstream";
  EXPECT_EQ(judge.texts().back(), "Hello the secret is 42");
}

}  // namespace
}  // namespace warden::proxy::test
