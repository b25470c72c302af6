// Ollama responses: one JSON object, or NDJSON lines split anywhere; errors,
// truncation and bad input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "provider_test_support.h"

namespace warden::providers {
namespace {

using namespace testing;  // the shared helpers in provider_test_support.h

std::string fixture(const std::string& name) { return testing::readFixture("ollama", name); }

const Route kChat{.provider = Provider::Unknown, .operation = Operation::OllamaChat};
const Route kGenerate{.provider = Provider::Unknown, .operation = Operation::OllamaGenerate};
constexpr std::string_view kLines = "application/x-ndjson";
constexpr std::string_view kJson = "application/json; charset=utf-8";

Reading read(const Route& route, std::string_view contentType, const std::vector<std::string_view>& pieces,
             unsigned status = 200) {
  return readPieces(ollamaAdapter(), route, contentType, pieces, status);
}

Reading read(const Route& route, std::string_view contentType, std::string_view body, unsigned status = 200) {
  return read(route, contentType, std::vector<std::string_view>{body}, status);
}

TEST(OllamaResponse, ReadsAChatResponse) {
  const Reading reading = read(kChat, kJson, fixture("chat_response.json"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.id, "");  // Ollama has none
  EXPECT_EQ(response.model, "llama3.2");
  EXPECT_EQ(response.text, "Hello! How are you today?");  // not the thinking
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].name, "get_current_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"city":"Toronto"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "/message/tool_calls/0/function/arguments");
  EXPECT_EQ(response.finishReason, "stop");
  EXPECT_EQ(response.usage.inputTokens, 26u);
  EXPECT_EQ(response.usage.outputTokens, 298u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(OllamaResponse, ReadsAChatStream) {
  const Reading reading = read(kChat, kLines, fixture("chat_stream.ndjson"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.model, "llama3.2");
  EXPECT_EQ(response.text, "The sky is blue \u2014 \"mostly\".\n");
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].id, "");
  EXPECT_EQ(response.toolCalls[0].name, "get_current_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"city":"Toronto","unit":"c"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "");  // a stream is no one document
  EXPECT_EQ(response.finishReason, "stop");
  EXPECT_EQ(response.usage.inputTokens, 26u);
  EXPECT_EQ(response.usage.outputTokens, 282u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(OllamaResponse, ReadsAGenerateStreamWithCrlfLines) {
  const Reading reading = read(kGenerate, kLines, fixture("generate_stream.ndjson"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(reading.response.model, "llama3.2");
  EXPECT_EQ(reading.response.text, "The sky");
  EXPECT_TRUE(reading.response.toolCalls.empty());
  EXPECT_EQ(reading.response.finishReason, "length");
  EXPECT_EQ(reading.response.usage.inputTokens, 26u);
  EXPECT_EQ(reading.response.usage.outputTokens, 290u);
}

TEST(OllamaResponse, StreamsSplitAtAnyByteReadTheSame) {
  for (const auto& [name, route] :
       {std::pair{"chat_stream.ndjson", kChat}, std::pair{"generate_stream.ndjson", kGenerate}}) {
    const std::string stream = fixture(name);
    SCOPED_TRACE(name);
    expectSplitsReadTheSame(
        [&route](const std::vector<std::string_view>& pieces) { return read(route, kLines, pieces); }, stream);
  }
}

TEST(OllamaResponse, ATruncatedStreamFails) {
  const std::string stream = fixture("chat_stream.ndjson");
  const std::string whole = describe(read(kChat, kLines, stream).response);
  const size_t lastLine = stream.rfind('}') + 1;
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    const Reading reading = read(kChat, kLines, std::string_view(stream).substr(0, cut));
    if (cut < lastLine) {
      ASSERT_TRUE(reading.failed) << cut;
    } else {
      // Only the final newline is missing: the last line is still whole.
      ASSERT_FALSE(reading.failed) << reading.failure;
      EXPECT_EQ(describe(reading.response), whole);
    }
  }
  const Reading cutAtLine = read(kChat, kLines, std::string_view(stream).substr(0, stream.find('\n') + 1));
  EXPECT_EQ(cutAtLine.failure, "response stream ended before \"done\": true (truncated)");
  EXPECT_EQ(cutAtLine.response.text, "The");
}

TEST(OllamaResponse, TheResponseIsCurrentWhileItStreams) {
  const std::string stream = fixture("chat_stream.ndjson");
  auto reader = ollamaAdapter().readResponse(kChat, 200, kLines);
  reader->feed(std::string_view(stream).substr(0, stream.find('\n') + 1));
  EXPECT_EQ(reader->response().text, "The");
  EXPECT_EQ(reader->response().model, "llama3.2");
  EXPECT_FALSE(reader->failed());
}

TEST(OllamaResponse, ErrorsAsBodiesAndAsStreamLines) {
  const Reading notFound = read(kChat, kJson, fixture("error.json"), 404);
  EXPECT_FALSE(notFound.failed) << notFound.failure;
  EXPECT_EQ(notFound.response.errorMessage, "model \"llama9\" not found, try pulling it first");

  const Reading midStream =
      read(kChat, kLines,
           "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n"
           "{\"error\":\"an error was encountered while running the model\"}\n");
  EXPECT_FALSE(midStream.failed) << midStream.failure;
  EXPECT_EQ(midStream.response.text, "Hi");
  EXPECT_EQ(midStream.response.errorMessage, "an error was encountered while running the model");

  // An error before the stream started is one JSON object, whatever the type says.
  const Reading beforeStream = read(kChat, kLines, fixture("error.json"), 404);
  EXPECT_FALSE(beforeStream.failed) << beforeStream.failure;
  EXPECT_EQ(beforeStream.response.errorMessage, "model \"llama9\" not found, try pulling it first");

  // A gateway's own error page is the error, not a fault of the reading.
  const Reading html = read(kChat, "text/html", "<html>502</html>", 502);
  EXPECT_FALSE(html.failed) << html.failure;
  EXPECT_EQ(html.response.errorMessage, "HTTP 502 with a body that is not JSON");

  const Reading notAnError = read(kChat, kJson, R"({"done":true})", 500);
  EXPECT_FALSE(notAnError.failed) << notAnError.failure;
  EXPECT_EQ(notAnError.response.errorMessage, "HTTP 500");

  const Reading notJson = read(kChat, kJson, "<html>OK</html>", 200);
  EXPECT_TRUE(notJson.failed);
  EXPECT_TRUE(notJson.failure.starts_with("response body: malformed JSON")) << notJson.failure;
}

TEST(OllamaResponse, MalformedInputFailsTheReading) {
  Reading reading = read(kChat, kLines, "{\"done\":false}\n{\"message\":\n{\"done\":true}\n");
  EXPECT_TRUE(reading.failure.starts_with("line 2: malformed JSON")) << reading.failure;

  reading = read(kChat, kLines, "[1,2]\n");
  EXPECT_EQ(reading.failure, "line 1: expected a JSON object");

  reading = read(kChat, kLines, std::string(10000, '[') + std::string(10000, ']') + "\n");
  EXPECT_NE(reading.failure.find("nested deeper than"), std::string::npos) << reading.failure;

  reading = read(kGenerate, kLines, "{\"response\":\"\xe2\x82\"}\n");
  EXPECT_TRUE(reading.failure.starts_with("line 1: malformed JSON")) << reading.failure;

  reading = read(kChat, kJson, R"({"message":{"content":5}})");
  EXPECT_EQ(reading.failure, "message.content: expected a string");

  reading = read(kChat, kJson, R"({"message":"hi"})");
  EXPECT_EQ(reading.failure, "message: expected an object");

  reading = read(kGenerate, kJson, R"({"response":["a"]})");
  EXPECT_EQ(reading.failure, "response: expected a string");

  reading = read(kChat, kJson, R"({"done":"yes"})");
  EXPECT_EQ(reading.failure, "done: expected true or false");

  reading = read(kChat, kJson, R"({"done":true,"eval_count":-3})");
  EXPECT_EQ(reading.failure, "eval_count: expected a non-negative integer");

  reading = read(kChat, kJson, R"({"message":{"tool_calls":[{"function":{"arguments":{}}}]}})");
  EXPECT_EQ(reading.failure, "message.tool_calls[0].function.name: expected a string");
}

TEST(OllamaResponse, AnOverlongLineIsRefused) {
  auto reader = ollamaAdapter().readResponse(kChat, 200, kLines);
  const std::string mebibyte(1 << 20, 'x');
  for (int i = 0; i < 9; ++i) reader->feed(mebibyte);
  reader->finish();
  EXPECT_TRUE(reader->failed());
  EXPECT_EQ(reader->failure(), "response stream: line too long; the rest is not inspected");
}

// Random damage fed in random pieces: never a crash or an exception, and a
// failure always says what went wrong.
TEST(OllamaResponse, SurvivesCorruptedStreams) {
  std::mt19937 random(13);
  for (const auto& [name, contentType] :
       {std::pair{"chat_stream.ndjson", kLines}, std::pair{"generate_stream.ndjson", kLines},
        std::pair{"chat_response.json", kJson}}) {
    const std::string stream = fixture(name);
    expectCorruptionIsReported(ollamaAdapter(), kChat, contentType, stream, random);
  }
}

}  // namespace
}  // namespace warden::providers
