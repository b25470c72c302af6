// The relay of LLM API requests through the provider adapters, end to end
// over loopback: strict request headers, whole-body reading within limits,
// refusals in the provider's error format, and responses read into the event
// as they stream. Plain-HTTP targets: the adapters are chosen by the Host
// header, exactly as for intercepted TLS.
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "../audit/spool_test_support.h"
#include "layers/audit/event_log.h"
#include "proxy/proxy.h"
#include "proxy_test_support.h"
#include "scripted_upstream.h"

namespace warden::proxy::test {
namespace {

const std::string kChatRequest =
    R"({"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"weather?"}],)"
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"stream":true})";

std::string gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string sseEvent(const std::string& data) { return "data: " + data + "\n\n"; }

class LlmRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto events = audit::EventLog::open(audit::testing::spoolIn(dir_.path()));
    ASSERT_TRUE(events.ok()) << events.error().message;
    events_ = std::move(events.value());
  }

  void startProxy(ProxyOptions options = testOptions()) {
    ca_ = makeCa(dir_);
    ASSERT_NE(ca_, nullptr);
    auto started = Proxy::start(options, origins_.lookup(), ca_, events_.get(), {"api.openai.com"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    proxy_ = std::move(started.value());
  }

  asio::awaitable<Tcp::socket> dial(const Endpoint& dst) {
    const std::optional<ConnectionOrigin> origin = originTo(dst, true);
    auto socket = co_await dialProxy(proxy_->listenPort(), &origins_, origin);
    co_return socket;
  }

  // Sends raw request bytes and reads one response.
  http::response<http::string_body> exchange(const Endpoint& dst, const std::string& raw, bool* closedAfter = nullptr) {
    http::response<http::string_body> response;
    EXPECT_TRUE(runClient([&]() -> asio::awaitable<void> {
      auto socket = co_await dial(dst);
      co_await asio::async_write(socket, asio::buffer(raw), asio::use_awaitable);
      beast::flat_buffer buffer;
      co_await http::async_read(socket, buffer, response, asio::use_awaitable);
      if (closedAfter != nullptr) {
        char byte;
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(&byte, 1), kUseTuple);
        *closedAfter = ec == asio::error::eof || ec == asio::error::connection_reset;
      }
    }));
    return response;
  }

  // Stops the proxy once it has finished `expected` requests (a client may
  // have its response before the proxy logged it) and returns the events.
  std::vector<nlohmann::json> events(uint64_t expected) {
    EXPECT_TRUE(eventually([&] { return proxy_->counters().requests >= expected; }));
    proxy_->stop();
    const std::string path = audit::segmentPath(events_->dir(), 1);
    events_.reset();  // drains the queue
    std::ifstream in(path);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  TempDir dir_;
  FakeOrigins origins_;
  std::shared_ptr<CertAuthority> ca_;
  ScriptedUpstream upstream_;
  std::unique_ptr<audit::EventLog> events_;
  std::unique_ptr<Proxy> proxy_;
};

std::string post(const std::string& target, const std::string& host, const std::string& body,
                 const std::string& extraFields = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" + extraFields +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(LlmRelayTest, SmugglingHeadersAreRefusedWith400AndNothingIsForwarded) {
  startProxy();
  const std::vector<std::string> smuggles = {
      "POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
      "POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}",
  };
  for (const auto& raw : smuggles) {
    bool closed = false;
    const auto response = exchange(upstream_.endpoint(), raw, &closed);
    EXPECT_EQ(response.result_int(), 400) << raw;
    EXPECT_TRUE(closed) << "the connection must end after the refusal: " << raw;
    EXPECT_FALSE(response.keep_alive());
    // The Anthropic error shape: the client called api.anthropic.com.
    const auto body = nlohmann::json::parse(response.body());
    EXPECT_EQ(body["type"], "error") << response.body();
    EXPECT_EQ(body["error"]["type"], "invalid_request_error") << response.body();
    EXPECT_NE(body["error"]["message"].get<std::string>().find("malformed request"), std::string::npos);
  }
  EXPECT_EQ(upstream_.connections(), 0) << "the upstream must see nothing of a refused request";

  const auto lines = events(smuggles.size());
  ASSERT_EQ(lines.size(), smuggles.size());
  for (const auto& event : lines) {
    EXPECT_EQ(event["response"]["status"], 400);
    EXPECT_NE(event["error"].get<std::string>().find("malformed request"), std::string::npos);
  }
}

TEST_F(LlmRelayTest, AHeaderOverTheLimitsIsRefused) {
  auto options = testOptions();
  options.maxHeaderCount = 10;
  startProxy(options);
  std::string fields;
  for (int i = 0; i < 11; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
  bool closed = false;
  const auto response = exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", "{}", fields),
                                 &closed);
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_TRUE(closed);
  EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["code"], "warden_bad_request");
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(LlmRelayTest, ABodyOverTheLimitIs413WhetherDeclaredOrChunked) {
  auto options = testOptions();
  options.maxRequestBodyBytes = 2048;
  startProxy(options);
  const std::string big(3000, 'x');

  bool closed = false;
  auto response = exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", big), &closed);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_TRUE(closed);
  auto body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["error"]["code"], "warden_request_too_large");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("2048"), std::string::npos) << body;

  const std::string chunked = "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n" +
                              ScriptedUpstream::chunk(big.substr(0, 1500)) +
                              ScriptedUpstream::chunk(big.substr(1500)) + "0\r\n\r\n";
  response = exchange(upstream_.endpoint(), chunked, &closed);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_TRUE(closed);
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(LlmRelayTest, ExpectContinueIsAnsweredByWardenWhenItReadsTheBody) {
  startProxy();
  upstream_.respond({ScriptedUpstream::jsonResponse(R"({"id":"r1","model":"gpt-4o","choices":[]})")});
  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(upstream_.endpoint());
    const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nExpect: 100-continue\r\n"
                             "Content-Length: " +
                             std::to_string(kChatRequest.size()) + "\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(head), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> interim;
    co_await http::async_read_header(socket, buffer, interim, asio::use_awaitable);
    EXPECT_EQ(interim.get().result_int(), 100);
    co_await asio::async_write(socket, asio::buffer(kChatRequest), asio::use_awaitable);
    http::response<http::string_body> response;
    co_await http::async_read(socket, buffer, response, asio::use_awaitable);
    EXPECT_EQ(response.result_int(), 200);
  }));
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, kChatRequest);
  EXPECT_FALSE(seen[0].has("expect")) << "the body was sent at once: nothing for the upstream to continue";
}

TEST_F(LlmRelayTest, ExpectContinueWithABodyOverTheLimitGets413AndNo100) {
  auto options = testOptions();
  options.maxRequestBodyBytes = 1024;
  startProxy(options);
  bool closed = false;
  const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nExpect: 100-continue\r\n"
                           "Content-Length: 5000\r\n\r\n";
  const auto response = exchange(upstream_.endpoint(), head, &closed);
  EXPECT_EQ(response.result_int(), 413) << "the first answer must be the refusal, not 100 Continue";
  EXPECT_TRUE(closed);
  EXPECT_EQ(upstream_.connections(), 0);
}

TEST_F(LlmRelayTest, ACompressedChunkedBodyIsReadForTheEventAndForwardedByteIdentical) {
  startProxy();
  upstream_.respond({ScriptedUpstream::jsonResponse(R"({"id":"r1","model":"gpt-4o-2024","choices":[]})")});
  const std::string compressed = gzip(kChatRequest);
  const std::string raw = "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nContent-Encoding: gzip\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n" +
                          ScriptedUpstream::chunk(compressed.substr(0, 10)) +
                          ScriptedUpstream::chunk(compressed.substr(10)) + "0\r\n\r\n";
  const auto response = exchange(upstream_.endpoint(), raw);
  EXPECT_EQ(response.result_int(), 200);

  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, compressed) << "the original bytes are forwarded, not the decoded ones";
  EXPECT_EQ(seen[0].headers.at("content-encoding"), "gzip");
  EXPECT_EQ(seen[0].headers.at("content-length"), std::to_string(compressed.size()));
  EXPECT_FALSE(seen[0].has("transfer-encoding")) << "a body read whole is forwarded with its length";

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  const auto& llm = lines[0]["llm"];
  EXPECT_EQ(llm["provider"], "openai");
  EXPECT_EQ(llm["operation"], "chat_completions");
  EXPECT_EQ(llm["request"]["model"], "gpt-4o");
  EXPECT_EQ(llm["request"]["messages"], 2);
  EXPECT_EQ(llm["request"]["stream"], true);
  EXPECT_EQ(llm["request"]["tools_declared"], nlohmann::json::array({"get_weather"}));
  EXPECT_FALSE(llm["request"].contains("parse_error")) << llm;
  EXPECT_EQ(llm["response"]["model"], "gpt-4o-2024");
  EXPECT_EQ(lines[0]["decision"], "allow");
}

TEST_F(LlmRelayTest, ABodyThatDoesNotParseIsForwardedUnchangedAndTheEventSaysWhy) {
  startProxy();
  upstream_.respond({ScriptedUpstream::jsonResponse(R"({"error":{"message":"bad json"}})")});
  const std::string broken = R"({"model":"gpt-4o","messages":[{"role":)";
  const auto response = exchange(upstream_.endpoint(), post("/v1/chat/completions", "api.openai.com", broken));
  EXPECT_EQ(response.result_int(), 200);
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, broken);

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  const auto& request = lines[0]["llm"]["request"];
  ASSERT_TRUE(request.contains("parse_error")) << lines[0];
  EXPECT_FALSE(request["parse_error"].get<std::string>().empty());
  EXPECT_FALSE(request.contains("messages")) << "nothing was read";
  EXPECT_FALSE(lines[0].contains("error")) << "the exchange itself did not fail";
}

TEST_F(LlmRelayTest, UpstreamFailureIsAnsweredInTheAnthropicFormat) {
  startProxy();
  const std::string body = R"({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
  bool closed = false;
  const auto response = exchange(closedPort(), post("/v1/messages", "api.anthropic.com", body), &closed);
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_TRUE(closed);
  const auto json = nlohmann::json::parse(response.body());
  EXPECT_EQ(json["type"], "error") << response.body();
  EXPECT_EQ(json["error"]["type"], "api_error");
  const std::string message = json["error"]["message"];
  EXPECT_NE(message.find("warden"), std::string::npos) << message;

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["llm"]["provider"], "anthropic");
  EXPECT_EQ(lines[0]["llm"]["operation"], "messages");
  EXPECT_EQ(lines[0]["llm"]["request"]["model"], "claude-sonnet-4-5");
  // The refusal names the event, so the client's error leads to the log line.
  EXPECT_NE(message.find(lines[0]["id"].get<std::string>()), std::string::npos) << message;
}

TEST_F(LlmRelayTest, AStreamedResponseIsAssembledIntoTheEventPieceByPiece) {
  startProxy();
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string first = sseEvent(
      R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me check"}}]})");
  const std::string rest =
      sseEvent(
          R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}}]})") +
      sseEvent(
          R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})") +
      sseEvent(
          R"({"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}})") +
      sseEvent("[DONE]");
  upstream_.respond({head + ScriptedUpstream::chunk(first), ScriptedUpstream::chunk(rest) + "0\r\n\r\n"});
  upstream_.holdAfterFirstPiece();

  ASSERT_TRUE(runClient([&]() -> asio::awaitable<void> {
    auto socket = co_await dial(upstream_.endpoint());
    const std::string raw = post("/v1/chat/completions", "api.openai.com", kChatRequest);
    co_await asio::async_write(socket, asio::buffer(raw), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    co_await http::async_read_header(socket, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().result_int(), 200);
    // The upstream sends the rest only once we have the first event: a relay
    // that held pieces back for inspection would never deliver it.
    while (parser.get().body().find("Let me check") == std::string::npos && !parser.is_done()) {
      co_await http::async_read_some(socket, buffer, parser, asio::use_awaitable);
    }
    EXPECT_EQ(parser.get().body(), first);
    upstream_.release();
    co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
    EXPECT_EQ(parser.get().body(), first + rest);
  }));

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  const auto& response = lines[0]["llm"]["response"];
  EXPECT_EQ(response["model"], "gpt-4o-2024") << lines[0];
  EXPECT_EQ(response["finish_reason"], "tool_calls");
  EXPECT_EQ(response["tool_calls"], 1);
  EXPECT_EQ(response["tools_called"], nlohmann::json::array({"get_weather"}));
  EXPECT_EQ(response["usage"]["input_tokens"], 12);
  EXPECT_EQ(response["usage"]["output_tokens"], 7);
  EXPECT_FALSE(response.contains("parse_error")) << response;
  EXPECT_EQ(lines[0]["llm"]["request"]["stream"], true);
}

TEST_F(LlmRelayTest, AGzippedResponseIsDecodedForTheEventAndRelayedAsItCame) {
  startProxy();
  const std::string json =
      R"({"id":"m1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}})";
  const std::string compressed = gzip(json);
  upstream_.respond({ScriptedUpstream::jsonResponse(compressed, "Content-Encoding: gzip\r\n")});
  const std::string body = R"({"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
  const auto response = exchange(upstream_.endpoint(), post("/v1/messages", "api.anthropic.com", body));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), compressed);

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  const auto& llm = lines[0]["llm"];
  EXPECT_EQ(llm["response"]["finish_reason"], "end_turn") << lines[0];
  EXPECT_EQ(llm["response"]["usage"]["output_tokens"], 1);
}

TEST_F(LlmRelayTest, UnknownPathsOnKnownHostsAreStreamedAndLoggedAsUninspected) {
  startProxy();
  upstream_.respond({ScriptedUpstream::jsonResponse(R"({"data":[]})")});
  const std::string raw = "POST /v1/batches HTTP/1.1\r\nHost: api.openai.com\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          ScriptedUpstream::chunk("not json at all") + "0\r\n\r\n";
  const auto response = exchange(upstream_.endpoint(), raw);
  EXPECT_EQ(response.result_int(), 200);
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, "not json at all");
  EXPECT_EQ(seen[0].headers.at("transfer-encoding"), "chunked") << "an uninspected body keeps its framing";

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["llm"]["provider"], "openai");
  EXPECT_EQ(lines[0]["llm"]["operation"], "uninspected");
  EXPECT_FALSE(lines[0]["llm"].contains("request"));
  EXPECT_FALSE(lines[0]["llm"].contains("response"));
}

TEST_F(LlmRelayTest, AMultipartUploadIsReadForTheEventAndRelayedAsItCame) {
  startProxy();
  upstream_.respond({ScriptedUpstream::jsonResponse(R"({"text":"Hello."})")});
  const std::string body =
      "--AaB03x\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
      "--AaB03x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"memo.wav\"\r\n"
      "Content-Type: audio/wav\r\n\r\nRIFF....WAVE\r\n--AaB03x--\r\n";
  const std::string raw = "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: api.openai.com\r\n"
                          "Content-Type: multipart/form-data; boundary=AaB03x\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  const auto response = exchange(upstream_.endpoint(), raw);
  EXPECT_EQ(response.result_int(), 200);
  const auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body, body);

  const auto lines = events(1);
  ASSERT_EQ(lines.size(), 1u);
  const auto& llm = lines[0]["llm"];
  EXPECT_EQ(llm["operation"], "audio_transcriptions");
  EXPECT_EQ(llm["request"]["model"], "whisper-1") << lines[0];
  EXPECT_EQ(llm["request"]["files"],
            (nlohmann::json::array(
                {{{"name", "file"}, {"filename", "memo.wav"}, {"content_type", "audio/wav"}, {"bytes", 12}}})));
  EXPECT_FALSE(llm["response"].contains("parse_error")) << lines[0];
}

}  // namespace
}  // namespace warden::proxy::test
