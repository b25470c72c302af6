// Gemini responses: one JSON object, server-sent events (?alt=sse) and the
// streamed JSON array, each split anywhere; errors, truncation, bad input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "provider_test_support.h"

namespace warden::providers {
namespace {

using namespace testing;  // the shared helpers in provider_test_support.h

std::string fixture(const std::string& name) { return testing::readFixture("gemini", name); }

const Route kGenerate{.provider = Provider::Gemini, .operation = Operation::GenerateContent, .modelFromPath = "m"};
const Route kStream{.provider = Provider::Gemini,
                    .operation = Operation::StreamGenerateContent,
                    .modelFromPath = "m",
                    .streamFromPath = true};
constexpr std::string_view kEvents = "text/event-stream";
constexpr std::string_view kJson = "application/json; charset=UTF-8";

Reading read(const Route& route, std::string_view contentType, const std::vector<std::string_view>& pieces,
             unsigned status = 200) {
  return readPieces(geminiAdapter(), route, contentType, pieces, status);
}

Reading read(const Route& route, std::string_view contentType, std::string_view body, unsigned status = 200) {
  return read(route, contentType, std::vector<std::string_view>{body}, status);
}

void expectStreamFields(const Reading& reading, const std::string& argumentsPointer) {
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.id, "Rz1xaO2pL");
  EXPECT_EQ(response.model, "gemini-2.0-flash");
  EXPECT_EQ(response.text, "The quick [brown] \"fox\" { jumps \u00e9\\.");
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].id, "");
  EXPECT_EQ(response.toolCalls[0].name, "get_time");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"zone":"UTC]"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, argumentsPointer);
  EXPECT_EQ(response.finishReason, "STOP");
  EXPECT_EQ(response.usage.inputTokens, 8u);
  EXPECT_EQ(response.usage.outputTokens, 7u);
  EXPECT_FALSE(response.errorMessage);
}

// Split in two at every byte, then fed a byte at a time: always the same.
void expectSplitsReadTheSame(const Route& route, std::string_view contentType, const std::string& stream) {
  testing::expectSplitsReadTheSame(
      [&](const std::vector<std::string_view>& pieces) { return read(route, contentType, pieces); }, stream);
}

// Every prefix that lacks the last chunk fails as truncated; longer ones
// either fail or read the same as the whole stream.
void expectTruncationFails(const Route& route, std::string_view contentType, const std::string& stream) {
  const std::string whole = describe(read(route, contentType, stream).response);
  const size_t lastChunk = stream.rfind('}') + 1;
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    const Reading reading = read(route, contentType, std::string_view(stream).substr(0, cut));
    if (cut < lastChunk) {
      ASSERT_TRUE(reading.failed) << cut;
      EXPECT_NE(reading.failure.find("truncated"), std::string::npos) << cut << ": " << reading.failure;
    } else if (!reading.failed) {
      EXPECT_EQ(describe(reading.response), whole) << cut;
    }
  }
}

TEST(GeminiResponse, ReadsAJsonResponse) {
  const Reading reading = read(kGenerate, kJson, fixture("response.json"));
  ASSERT_FALSE(reading.failed) << reading.failure;
  const Response& response = reading.response;
  EXPECT_EQ(response.id, "mcd3Z7rGMbGnz7IPkbSuuAE");
  EXPECT_EQ(response.model, "gemini-2.0-flash");
  EXPECT_EQ(response.text, "Hello! How can I help?");  // the thought is not output text
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].name, "find_theaters");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"location":"Mountain View, CA"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "/candidates/0/content/parts/3/functionCall/args");
  EXPECT_EQ(response.finishReason, "STOP");
  EXPECT_EQ(response.usage.inputTokens, 9u);
  EXPECT_EQ(response.usage.outputTokens, 12u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(GeminiResponse, ReadsServerSentEvents) { expectStreamFields(read(kStream, kEvents, fixture("stream.sse")), ""); }

TEST(GeminiResponse, ReadsTheStreamedJsonArray) {
  const Reading reading = read(kStream, kJson, fixture("stream_array.json"));
  // The array is one document: element 2 holds the call.
  expectStreamFields(reading, "/2/candidates/0/content/parts/0/functionCall/args");
}

TEST(GeminiResponse, EventStreamSplitAtAnyByteReadsTheSame) {
  expectSplitsReadTheSame(kStream, kEvents, fixture("stream.sse"));
}

TEST(GeminiResponse, JsonArraySplitAtAnyByteReadsTheSame) {
  expectSplitsReadTheSame(kStream, kJson, fixture("stream_array.json"));
}

TEST(GeminiResponse, TruncatedStreamsFail) {
  expectTruncationFails(kStream, kEvents, fixture("stream.sse"));
  expectTruncationFails(kStream, kJson, fixture("stream_array.json"));
}

TEST(GeminiResponse, TheArrayIsReadElementByElementAsItArrives) {
  const std::string stream = fixture("stream_array.json");
  auto reader = geminiAdapter().readResponse(kStream, 200, kJson);
  const size_t firstElementEnd = stream.find("\n,");
  reader->feed(std::string_view(stream).substr(0, firstElementEnd));
  EXPECT_EQ(reader->response().text, "The");
  EXPECT_EQ(reader->response().id, "Rz1xaO2pL");
  EXPECT_TRUE(reader->response().finishReason.empty());
  EXPECT_FALSE(reader->failed());
}

TEST(GeminiResponse, SeveralCandidatesKeepTheirTextTogether) {
  const std::string stream =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A1\"}]},\"index\":0},"
      "{\"content\":{\"parts\":[{\"text\":\"B1\"}]},\"index\":1}]}\n\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"A2\"}]},\"index\":0,\"finishReason\":\"STOP\"},"
      "{\"content\":{\"parts\":[{\"text\":\"B2\"}]},\"index\":1,\"finishReason\":\"MAX_TOKENS\"}]}\n\n";
  const Reading reading = read(kStream, kEvents, stream);
  ASSERT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(reading.response.text, "A1A2B1B2");
  EXPECT_EQ(reading.response.finishReason, "MAX_TOKENS");
}

TEST(GeminiResponse, ABlockedPromptEndsTheStream) {
  const Reading reading =
      read(kStream, kEvents,
           "data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":4}}\n\n");
  ASSERT_FALSE(reading.failed) << reading.failure;
  EXPECT_EQ(reading.response.finishReason, "SAFETY");
  EXPECT_EQ(reading.response.usage.inputTokens, 4u);
  EXPECT_FALSE(reading.response.usage.outputTokens);
}

TEST(GeminiResponse, ErrorBodies) {
  const std::string error = fixture("error.json");
  const std::string expected = "INVALID_ARGUMENT: API key not valid. Please pass a valid API key.";
  for (const Route* route : {&kGenerate, &kStream}) {
    const Reading reading = read(*route, kJson, error, 400);
    EXPECT_FALSE(reading.failed) << reading.failure;
    EXPECT_EQ(reading.response.errorMessage, expected);
  }
  const Reading wrapped = read(kStream, kJson, "[" + error + "]", 400);
  EXPECT_FALSE(wrapped.failed) << wrapped.failure;
  EXPECT_EQ(wrapped.response.errorMessage, expected);

  const Reading inStream = read(kStream, kEvents,
                                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]}}]}\n\n"
                                "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\"}}\n\n");
  EXPECT_FALSE(inStream.failed) << inStream.failure;
  EXPECT_EQ(inStream.response.text, "Hi");
  EXPECT_EQ(inStream.response.errorMessage, "503: The model is overloaded.");

  // Asked as events, the error still comes back as one JSON object.
  const Reading asEvents = read(kStream, kEvents, error, 429);
  EXPECT_FALSE(asEvents.failed) << asEvents.failure;
  EXPECT_EQ(asEvents.response.errorMessage, expected);

  // A gateway's own error page is the error, not a fault of the reading.
  const Reading html = read(kStream, "text/html", "<html>502</html>", 502);
  EXPECT_FALSE(html.failed) << html.failure;
  EXPECT_EQ(html.response.errorMessage, "HTTP 502 with a body that is not JSON");

  const Reading notAnError = read(kGenerate, kJson, R"({"candidates":[]})", 500);
  EXPECT_FALSE(notAnError.failed) << notAnError.failure;
  EXPECT_EQ(notAnError.response.errorMessage, "HTTP 500");

  const Reading notJson = read(kGenerate, kJson, "<html>OK</html>", 200);
  EXPECT_TRUE(notJson.failed);
  EXPECT_TRUE(notJson.failure.starts_with("response body: malformed JSON")) << notJson.failure;
}

TEST(GeminiResponse, MalformedInputFailsTheReading) {
  Reading reading = read(kStream, kEvents, "data: {\"candidates\":[\n\n");
  EXPECT_TRUE(reading.failure.starts_with("event: malformed JSON")) << reading.failure;

  reading = read(kStream, kJson, "[{\"candidates\":[]} {\"candidates\":[]}]");
  EXPECT_EQ(reading.failure, "response stream: expected ',' or ']' after an element of the JSON array");

  reading = read(kStream, kJson, "[{\"candidates\":[]},]");
  EXPECT_EQ(reading.failure, "response stream: expected an object in the JSON array");

  reading = read(kStream, kJson, "[{\"candidates\":[],\"finishReason\":\"x\"}] [");
  EXPECT_EQ(reading.failure, "response stream: data after the end of the JSON array");

  reading = read(kStream, kJson, "\"text\"");
  EXPECT_EQ(reading.failure, "response stream: expected a JSON array of responses");

  reading = read(kStream, kJson, "[{\"candidates\":[}]");
  EXPECT_TRUE(reading.failure.starts_with("array element 0: malformed JSON")) << reading.failure;

  reading = read(kStream, kJson, "[" + std::string(10000, '[') + std::string(10000, ']') + "]");
  EXPECT_NE(reading.failure.find("nested deeper than"), std::string::npos) << reading.failure;

  reading = read(kStream, kEvents, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\xc3\"}]}}]}\n\n");
  EXPECT_TRUE(reading.failure.starts_with("event: malformed JSON")) << reading.failure;

  reading = read(kGenerate, kJson, R"({"candidates":{}})");
  EXPECT_EQ(reading.failure, "candidates: expected an array");

  reading = read(kGenerate, kJson, R"({"candidates":[{"content":{"parts":[{"text":1}]}}]})");
  EXPECT_EQ(reading.failure, "candidates[0].content.parts[0].text: expected a string");

  reading = read(kGenerate, kJson, R"({"candidates":[{"finishReason":0}]})");
  EXPECT_EQ(reading.failure, "candidates[0].finishReason: expected a string");

  reading = read(kGenerate, kJson, R"({"usageMetadata":{"promptTokenCount":-1}})");
  EXPECT_EQ(reading.failure, "usageMetadata.promptTokenCount: expected a non-negative integer");

  reading = read(kGenerate, kJson, R"({"candidates":[{"content":{"parts":[{"functionCall":{"args":{}}}]}}]})");
  EXPECT_EQ(reading.failure, "candidates[0].content.parts[0].functionCall.name: expected a string");

  reading = read(kGenerate, kJson, R"({"candidates":[{"index":100000,"content":{"parts":[{"text":"x"}]}}]})");
  EXPECT_EQ(reading.failure, "candidate index 100000 out of range");
}

TEST(GeminiResponse, AnOversizedArrayElementIsRefused) {
  auto reader = geminiAdapter().readResponse(kStream, 200, kJson);
  reader->feed("[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"");
  const std::string mebibyte(1 << 20, 'x');
  for (int i = 0; i < 9; ++i) reader->feed(mebibyte);
  reader->finish();
  EXPECT_TRUE(reader->failed());
  EXPECT_EQ(reader->failure(), "response stream: JSON array element larger than 8388608 bytes");
}

// Random damage fed in random pieces: never a crash or an exception, and a
// failure always says what went wrong.
TEST(GeminiResponse, SurvivesCorruptedStreams) {
  std::mt19937 random(12);
  for (const auto& [name, contentType] :
       {std::pair{"stream.sse", kEvents}, std::pair{"stream_array.json", kJson}, std::pair{"response.json", kJson}}) {
    const std::string stream = fixture(name);
    expectCorruptionIsReported(geminiAdapter(), kStream, contentType, stream, random);
  }
}

}  // namespace
}  // namespace warden::providers
