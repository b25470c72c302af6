// Anthropic responses read as they stream: the JSON message, the event
// stream split anywhere, errors, truncation and hostile input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "provider_test_support.h"

namespace warden::providers {
namespace {

using namespace testing;  // the shared helpers in provider_test_support.h

std::string fixture(const std::string& name) { return testing::readFixture("anthropic", name); }

const Route kRoute{.provider = Provider::Anthropic, .operation = Operation::Messages};
constexpr std::string_view kEvents = "text/event-stream";
constexpr std::string_view kJson = "application/json";

Reading read(std::string_view contentType, const std::vector<std::string_view>& pieces,
             unsigned status = 200) {
  return readPieces(anthropicAdapter(), kRoute, contentType, pieces, status);
}

Reading read(std::string_view contentType, std::string_view body, unsigned status = 200) {
  return read(contentType, std::vector<std::string_view>{body}, status);
}

TEST(AnthropicResponse, ReadsAJsonMessage) {
  const Reading reading = read(kJson, fixture("response_message.json"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.id, "msg_01Aq9w938a90dw8q");
  EXPECT_EQ(response.model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(response.text, "I'll check the weather. One moment.");  // thinking is not output text
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(response.toolCalls[0].name, "get_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"location":"San Francisco, CA"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "/content/3/input");
  EXPECT_EQ(response.finishReason, "tool_use");
  EXPECT_EQ(response.usage.inputTokens, 2095u);
  EXPECT_EQ(response.usage.outputTokens, 503u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(AnthropicResponse, ReadsTheEventStream) {
  const Reading reading = read(kEvents, fixture("stream.sse"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.id, "msg_014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(response.model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(response.text, "Okay, let's check the weather \u2014 \u2614 in Paris.\n");
  ASSERT_EQ(response.toolCalls.size(), 2u);
  EXPECT_EQ(response.toolCalls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(response.toolCalls[0].name, "get_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"location": "Paris, France"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "");  // a stream is no one document
  EXPECT_EQ(response.toolCalls[1].id, "toolu_02");
  EXPECT_EQ(response.toolCalls[1].name, "get_time");
  EXPECT_EQ(response.toolCalls[1].arguments.text, "{}");
  EXPECT_EQ(response.finishReason, "tool_use");
  EXPECT_EQ(response.usage.inputTokens, 472u);
  EXPECT_EQ(response.usage.outputTokens, 89u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(AnthropicResponse, AStreamSplitAtAnyByteReadsTheSame) {
  const std::string stream = fixture("stream.sse");
  expectSplitsReadTheSame([](const std::vector<std::string_view>& pieces) { return read(kEvents, pieces); }, stream);
}

TEST(AnthropicResponse, CrlfLineEndingsAndContentTypeParametersReadTheSame) {
  const std::string stream = fixture("stream.sse");
  std::string crlf;
  for (const char c : stream) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const Reading reading = read("Text/Event-Stream; charset=utf-8", crlf);
  ASSERT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(describe(reading.response), describe(read(kEvents, stream).response));
}

TEST(AnthropicResponse, TheResponseIsCurrentWhileItStreams) {
  const std::string stream = fixture("stream.sse");
  auto reader = anthropicAdapter().readResponse(kRoute, 200, kEvents);
  const size_t firstText = stream.find("\n\n", stream.find("Okay, let's check")) + 2;
  reader->feed(std::string_view(stream).substr(0, firstText));
  EXPECT_EQ(reader->response().id, "msg_014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(reader->response().text, "Okay, let's check ");
  EXPECT_TRUE(reader->response().finishReason.empty());
  EXPECT_FALSE(reader->failed());
}

TEST(AnthropicResponse, ATruncatedStreamFails) {
  const std::string stream = fixture("stream.sse");
  const std::string whole = describe(read(kEvents, stream).response);
  const size_t lastEvent = stream.rfind('}') + 1;  // the end of message_stop's data
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    const Reading reading = read(kEvents, std::string_view(stream).substr(0, cut));
    if (cut <= lastEvent) {
      ASSERT_TRUE(reading.failed) << cut;
      EXPECT_NE(reading.failure.find("truncated"), std::string::npos) << reading.failure;
    } else if (!reading.failed) {
      EXPECT_EQ(describe(reading.response), whole);
    }
  }
}

TEST(AnthropicResponse, AnErrorEventEndsTheStreamWithTheProvidersMessage) {
  const Reading reading = read(kEvents, fixture("stream_error.sse"));
  EXPECT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(reading.response.errorMessage, "overloaded_error: Overloaded");
  EXPECT_EQ(reading.response.text, "Partial");
  EXPECT_EQ(reading.response.id, "msg_02");
  EXPECT_EQ(reading.response.usage.inputTokens, 12u);
}

TEST(AnthropicResponse, ErrorBodies) {
  const Reading overloaded = read(kJson, fixture("error.json"), 529);
  EXPECT_FALSE(overloaded.failed) << overloaded.failure;
  EXPECT_EQ(overloaded.response.errorMessage, "overloaded_error: Overloaded");
  EXPECT_TRUE(overloaded.response.text.empty());

  const Reading noMessage = read(kJson, R"({"type":"error","error":{"type":"api_error"}})", 500);
  EXPECT_EQ(noMessage.response.errorMessage, "api_error: error without a message");

  // An error asked as a stream still comes back as one JSON object.
  const Reading streamed = read(kEvents, fixture("error.json"), 529);
  EXPECT_FALSE(streamed.failed) << streamed.failure;
  EXPECT_EQ(streamed.response.errorMessage, "overloaded_error: Overloaded");

  // A gateway's own error page is the error, not a fault of the reading.
  const Reading html = read("text/html", "<html>502 Bad Gateway</html>", 502);
  EXPECT_FALSE(html.failed) << html.failure;
  EXPECT_EQ(html.response.errorMessage, "HTTP 502 with a body that is not JSON");

  const Reading notAnError = read(kJson, R"({"id":"x"})", 500);
  EXPECT_FALSE(notAnError.failed) << notAnError.failure;
  EXPECT_EQ(notAnError.response.errorMessage, "HTTP 500");

  const Reading notJson = read(kJson, "<html>OK</html>", 200);
  EXPECT_TRUE(notJson.failed);
  EXPECT_TRUE(notJson.failure.starts_with("response body: malformed JSON")) << notJson.failure;
}

TEST(AnthropicResponse, MalformedEventsFailTheReading) {
  const auto events = [](std::string_view data) {
    return std::string("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n") +
           "data: " + std::string(data) + "\n\n";
  };
  Reading reading = read(kEvents, events("{\"type\":\"content_block_delta\",\"index\":0,"));
  EXPECT_TRUE(reading.failed);
  EXPECT_TRUE(reading.failure.starts_with("event message: malformed JSON")) << reading.failure;
  EXPECT_EQ(reading.response.id, "m");  // what came before is kept

  reading = read(
      kEvents,
      events(R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})"));
  EXPECT_EQ(reading.failure, "content_block_delta: input_json_delta for block 0, which is not a tool_use block");

  reading =
      read(kEvents, events(R"({"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}})"));
  EXPECT_EQ(reading.failure, "content_block_delta.index: expected a non-negative integer");

  reading = read(kEvents, events(R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}})"));
  EXPECT_EQ(reading.failure, "content_block_delta.delta.text: expected a string");

  reading = read(kEvents, events(R"({"type":"message_delta","delta":{},"usage":{"output_tokens":"many"}})"));
  EXPECT_EQ(reading.failure, "message_delta.usage.output_tokens: expected a non-negative integer");

  reading = read(kEvents, events(R"(["not","an","object"])"));
  EXPECT_EQ(reading.failure, "event message: expected a JSON object");

  reading = read(kEvents, events(std::string(10000, '[') + std::string(10000, ']')));
  EXPECT_NE(reading.failure.find("nested deeper than"), std::string::npos) << reading.failure;

  reading = read(
      kEvents,
      events("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\xff\"}}"));
  EXPECT_TRUE(reading.failure.starts_with("event message: malformed JSON")) << reading.failure;

  reading = read(kJson, R"({"id":"x","content":"text"})");
  EXPECT_EQ(reading.failure, "content: expected an array of blocks");
}

TEST(AnthropicResponse, UnknownEventsAndCommentsAreIgnored) {
  const std::string stream = fixture("stream.sse");
  const std::string extra = ": keep-alive\n\nevent: future_event\ndata: {\"type\":\"future_event\",\"x\":[1]}\n\n";
  const Reading reading = read(kEvents, extra + stream);
  ASSERT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(describe(reading.response), describe(read(kEvents, stream).response));
}

TEST(AnthropicResponse, AnOversizedJsonBodyIsNotBuffered) {
  auto reader = anthropicAdapter().readResponse(kRoute, 200, kJson);
  const std::string mebibyte(1 << 20, ' ');
  for (int i = 0; i < 33; ++i) reader->feed(mebibyte);
  reader->finish();
  EXPECT_TRUE(reader->failed());
  EXPECT_EQ(reader->failure(), "response body larger than 32 MiB; not inspected");
}

TEST(AnthropicResponse, FeedingAfterFinishChangesNothing) {
  auto reader = anthropicAdapter().readResponse(kRoute, 200, kJson);
  reader->feed(fixture("response_message.json"));
  reader->finish();
  const std::string before = describe(reader->response());
  reader->feed("garbage");
  reader->finish();
  EXPECT_EQ(describe(reader->response()), before);
  EXPECT_FALSE(reader->failed());
}

// Random damage fed in random pieces: never a crash or an exception, and a
// failure always says what went wrong.
TEST(AnthropicResponse, SurvivesCorruptedStreams) {
  std::mt19937 random(11);
  for (const auto& [name, contentType] : {std::pair{"stream.sse", kEvents}, std::pair{"stream_error.sse", kEvents},
                                          std::pair{"response_message.json", kJson}}) {
    const std::string stream = fixture(name);
    expectCorruptionIsReported(anthropicAdapter(), kRoute, contentType, stream, random);
  }
}

}  // namespace
}  // namespace warden::providers
