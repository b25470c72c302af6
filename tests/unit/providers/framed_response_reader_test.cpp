// Every provider's response reader keeps at most 8 MiB of output text and
// tool call arguments: past that it says so in failure(), keeps what fits,
// and still reads the usage and finish facts that come at the end.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/adapter.h"

namespace warden::providers {
namespace {

using Json = nlohmann::json;

constexpr size_t kBound = size_t{8} << 20;
constexpr size_t kPiece = 100000;  // text per event: the bound falls inside one
constexpr size_t kPieces = 90;     // 9 000 000 bytes of text in all

// Text whose every prefix differs from every other stretch of it, so what
// is kept can be checked to be the start of what was sent.
std::string textAt(size_t offset, size_t size) {
  std::string out(size, ' ');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

std::string sse(const Json& data, const std::string& type = "") {
  return (type.empty() ? "" : "event: " + type + "\n") + "data: " + data.dump() + "\n\n";
}

bool reportsTheBound(const ResponseReader& reader) {
  return reader.failed() &&
         reader.failure().find("output text and tool call arguments larger than 8 MiB") != std::string::npos;
}

struct Fed {
  std::unique_ptr<ResponseReader> reader;
  bool markedWhileStreaming = false;  // failure() said so before the stream ended
};

Fed feed(const Adapter& adapter, const Route& route, std::string_view contentType,
         const std::vector<std::string>& pieces, unsigned status = 200) {
  Fed fed{adapter.readResponse(route, status, contentType)};
  for (const std::string& piece : pieces) fed.reader->feed(piece);
  fed.markedWhileStreaming = reportsTheBound(*fed.reader);
  fed.reader->finish();
  return fed;
}

void expectKeptPrefix(const Response& response, size_t size = kBound) {
  EXPECT_EQ(response.text.size(), size);
  EXPECT_EQ(response.text, textAt(0, size));
}

std::vector<std::string> anthropicStream(size_t pieces, bool withStop = true) {
  std::vector<std::string> out;
  out.push_back(sse({{"type", "message_start"},
                     {"message", {{"id", "msg_1"}, {"model", "claude"}, {"usage", {{"input_tokens", 7}}}}}},
                    "message_start"));
  out.push_back(sse({{"type", "content_block_start"}, {"index", 0}, {"content_block", {{"type", "text"}}}}));
  for (size_t i = 0; i < pieces; ++i) {
    out.push_back(sse({{"type", "content_block_delta"},
                       {"index", 0},
                       {"delta", {{"type", "text_delta"}, {"text", textAt(i * kPiece, kPiece)}}}}));
  }
  out.push_back(sse({{"type", "content_block_stop"}, {"index", 0}}));
  out.push_back(sse({{"type", "message_delta"},
                     {"delta", {{"stop_reason", "max_tokens"}}},
                     {"usage", {{"output_tokens", 2250000}}}}));
  if (withStop) out.push_back(sse({{"type", "message_stop"}}));
  return out;
}

const Route kAnthropic{.provider = Provider::Anthropic, .operation = Operation::Messages};

TEST(ResponseTextBound, AnthropicStreamKeepsTheFirstEightMiBAndTheFactsAfter) {
  const Fed fed = feed(anthropicAdapter(), kAnthropic, "text/event-stream", anthropicStream(kPieces));
  EXPECT_TRUE(fed.markedWhileStreaming);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response);
  EXPECT_EQ(response.id, "msg_1");
  EXPECT_EQ(response.finishReason, "max_tokens");
  EXPECT_EQ(response.usage.inputTokens, 7u);
  EXPECT_EQ(response.usage.outputTokens, 2250000u);
  EXPECT_FALSE(response.errorMessage);
}

TEST(ResponseTextBound, ToolCallArgumentsCountTowardsTheSameBound) {
  std::vector<std::string> stream = anthropicStream(60, false);  // 6 000 000 bytes of text
  stream.pop_back();                                             // message_delta comes after the tool call
  stream.push_back(sse({{"type", "content_block_start"},
                        {"index", 1},
                        {"content_block", {{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "run"}}}}));
  const std::string arguments = textAt(0, kPiece);
  for (size_t i = 0; i < 30; ++i) {  // 3 000 000 bytes of arguments
    stream.push_back(sse({{"type", "content_block_delta"},
                          {"index", 1},
                          {"delta", {{"type", "input_json_delta"}, {"partial_json", arguments}}}}));
  }
  stream.push_back(sse({{"type", "content_block_stop"}, {"index", 1}}));
  stream.push_back(sse({{"type", "message_delta"}, {"delta", {{"stop_reason", "tool_use"}}}}));
  stream.push_back(sse({{"type", "message_stop"}}));

  const Fed fed = feed(anthropicAdapter(), kAnthropic, "text/event-stream", stream);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response, 60 * kPiece);
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].name, "run");
  EXPECT_EQ(response.text.size() + response.toolCalls[0].arguments.text.size(), kBound);
  EXPECT_EQ(response.finishReason, "tool_use");
}

TEST(ResponseTextBound, AFaultAfterTheBoundIsReportedTooAndEndsTheReading) {
  std::vector<std::string> stream = anthropicStream(kPieces);
  stream.insert(stream.end() - 2, "data: {not json}\n\n");  // before message_delta
  const Fed fed = feed(anthropicAdapter(), kAnthropic, "text/event-stream", stream);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  EXPECT_NE(fed.reader->failure().find("; event message: malformed JSON"), std::string::npos) << fed.reader->failure();
  EXPECT_EQ(fed.reader->response().finishReason, "");  // not read: the fault ended the reading
}

TEST(ResponseTextBound, AStreamCutShortIsStillReportedAsTruncated) {
  const Fed fed = feed(anthropicAdapter(), kAnthropic, "text/event-stream", anthropicStream(kPieces, false));
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  EXPECT_NE(fed.reader->failure().find("event stream ended before message_stop (truncated)"), std::string::npos)
      << fed.reader->failure();
}

TEST(ResponseTextBound, TextUpToTheBoundIsNotMarked) {
  std::vector<std::string> lines;
  const size_t pieces = kBound / kPiece;
  for (size_t i = 0; i < pieces; ++i) {
    lines.push_back(Json{{"model", "llama3"}, {"response", textAt(i * kPiece, kPiece)}, {"done", false}}.dump() + "\n");
  }
  const size_t rest = kBound - pieces * kPiece;
  lines.push_back(Json{{"response", textAt(pieces * kPiece, rest)}, {"done", true}}.dump() + "\n");
  const Route route{.operation = Operation::OllamaGenerate};
  const Fed fed = feed(ollamaAdapter(), route, "application/x-ndjson", lines);
  EXPECT_FALSE(fed.reader->failed()) << fed.reader->failure();
  expectKeptPrefix(fed.reader->response());
}

TEST(ResponseTextBound, OllamaLines) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < kPieces; ++i) {
    lines.push_back(
        Json{{"model", "llama3"}, {"message", {{"role", "assistant"}, {"content", textAt(i * kPiece, kPiece)}}}}
            .dump() +
        "\n");
  }
  lines.push_back(Json{{"done", true}, {"done_reason", "length"}, {"prompt_eval_count", 3}, {"eval_count", 9}}.dump() +
                  "\n");
  const Route route{.operation = Operation::OllamaChat};
  const Fed fed = feed(ollamaAdapter(), route, "application/x-ndjson", lines);
  EXPECT_TRUE(fed.markedWhileStreaming);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response);
  EXPECT_EQ(response.model, "llama3");
  EXPECT_EQ(response.finishReason, "length");
  EXPECT_EQ(response.usage.inputTokens, 3u);
  EXPECT_EQ(response.usage.outputTokens, 9u);
}

Json geminiChunk(const std::string& text) {
  return {{"candidates", {{{"content", {{"role", "model"}, {"parts", {{{"text", text}}}}}}}}}};
}

TEST(ResponseTextBound, GeminiEventsAndJsonArray) {
  const Route route{.provider = Provider::Gemini,
                    .operation = Operation::StreamGenerateContent,
                    .modelFromPath = "gemini-2.5-pro",
                    .streamFromPath = true};
  Json last = geminiChunk("");
  last["candidates"][0]["finishReason"] = "MAX_TOKENS";
  last["usageMetadata"] = {{"promptTokenCount", 4}, {"candidatesTokenCount", 2250000}};

  std::vector<std::string> events;
  std::vector<std::string> array{"["};
  for (size_t i = 0; i < kPieces; ++i) {
    events.push_back(sse(geminiChunk(textAt(i * kPiece, kPiece))));
    array.push_back((i == 0 ? "" : ",\r\n") + geminiChunk(textAt(i * kPiece, kPiece)).dump());
  }
  events.push_back(sse(last));
  array.push_back(",\r\n" + last.dump() + "]");

  for (const auto& [contentType, body] :
       {std::pair{"text/event-stream", events}, std::pair{"application/json", array}}) {
    SCOPED_TRACE(contentType);
    const Fed fed = feed(geminiAdapter(), route, contentType, body);
    EXPECT_TRUE(fed.markedWhileStreaming);
    ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
    const Response& response = fed.reader->response();
    expectKeptPrefix(response);
    EXPECT_EQ(response.finishReason, "MAX_TOKENS");
    EXPECT_EQ(response.usage.inputTokens, 4u);
    EXPECT_EQ(response.usage.outputTokens, 2250000u);
  }
}

Route openAi(Operation operation) { return Route{.provider = Provider::OpenAI, .operation = operation}; }

TEST(ResponseTextBound, OpenAiChatStream) {
  std::vector<std::string> events;
  for (size_t i = 0; i < kPieces; ++i) {
    events.push_back(sse({{"id", "c1"},
                          {"model", "gpt"},
                          {"choices", {{{"index", 0}, {"delta", {{"content", textAt(i * kPiece, kPiece)}}}}}}}));
  }
  events.push_back(
      sse({{"id", "c1"}, {"choices", {{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "length"}}}}}));
  events.push_back(
      sse({{"id", "c1"}, {"choices", Json::array()}, {"usage", {{"prompt_tokens", 5}, {"completion_tokens", 6}}}}));
  events.push_back("data: [DONE]\n\n");
  const Fed fed = feed(openAiAdapter(), openAi(Operation::ChatCompletions), "text/event-stream", events);
  EXPECT_TRUE(fed.markedWhileStreaming);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response);
  EXPECT_EQ(response.finishReason, "length");
  EXPECT_EQ(response.usage.inputTokens, 5u);
  EXPECT_EQ(response.usage.outputTokens, 6u);
}

TEST(ResponseTextBound, OpenAiResponsesStream) {
  std::vector<std::string> events;
  for (size_t i = 0; i < kPieces; ++i) {
    events.push_back(sse({{"type", "response.output_text.delta"},
                          {"output_index", 0},
                          {"content_index", 0},
                          {"delta", textAt(i * kPiece, kPiece)}}));
  }
  events.push_back(sse({{"type", "response.completed"},
                        {"response",
                         {{"id", "resp_1"},
                          {"model", "gpt"},
                          {"status", "completed"},
                          {"usage", {{"input_tokens", 8}, {"output_tokens", 2250000}}}}}}));
  const Fed fed = feed(openAiAdapter(), openAi(Operation::Responses), "text/event-stream", events);
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response);
  EXPECT_EQ(response.id, "resp_1");
  EXPECT_EQ(response.finishReason, "completed");
  EXPECT_EQ(response.usage.outputTokens, 2250000u);
}

TEST(ResponseTextBound, OpenAiWholeJsonBody) {
  const Json body = {{"id", "c2"},
                     {"model", "gpt"},
                     {"choices",
                      {{{"index", 0},
                        {"message", {{"role", "assistant"}, {"content", textAt(0, kPieces * kPiece)}}},
                        {"finish_reason", "stop"}}}},
                     {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 2}}}};
  const Fed fed = feed(openAiAdapter(), openAi(Operation::ChatCompletions), "application/json", {body.dump()});
  ASSERT_TRUE(reportsTheBound(*fed.reader)) << fed.reader->failure();
  const Response& response = fed.reader->response();
  expectKeptPrefix(response);
  EXPECT_EQ(response.id, "c2");
  EXPECT_EQ(response.finishReason, "stop");
  EXPECT_EQ(response.usage.outputTokens, 2u);
}

}  // namespace
}  // namespace warden::providers
