// Event streams: chat.completion.chunk, text_completion and Responses API
// events, assembled the same however the body is cut into pieces.
#include <gtest/gtest.h>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::expectSameResponse;
using testing::openAiFixture;
using testing::openAiRoute;
using testing::readOpenAi;

constexpr std::string_view kSse = "text/event-stream";

std::unique_ptr<ResponseReader> reader(Operation operation) {
  return openAiAdapter().readResponse(openAiRoute(operation), 200, "text/event-stream; charset=utf-8");
}

// Every way of cutting `body` in two, then one byte at a time, gives the
// response read from it whole.
void expectSplitInvariant(Operation operation, const std::string& body) {
  auto whole = readOpenAi(operation, 200, kSse, {body});
  ASSERT_FALSE(whole->failed()) << whole->failure();
  const Response expected = whole->response();
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    auto split =
        readOpenAi(operation, 200, kSse, {std::string_view(body).substr(0, cut), std::string_view(body).substr(cut)});
    ASSERT_FALSE(split->failed()) << "cut at " << cut << ": " << split->failure();
    expectSameResponse(split->response(), expected, "cut at " + std::to_string(cut));
    if (::testing::Test::HasFailure()) return;
  }
  auto bytes = reader(operation);
  for (const char c : body) bytes->feed(std::string_view(&c, 1));
  bytes->finish();
  ASSERT_FALSE(bytes->failed()) << bytes->failure();
  expectSameResponse(bytes->response(), expected, "byte by byte");
}

TEST(OpenAiStream, ChatContentDeltasAndUsage) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse, {openAiFixture("chat_stream.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  const Response& response = r->response();
  EXPECT_EQ(response.id, "chatcmpl-123");
  EXPECT_EQ(response.model, "gpt-4o-mini");
  EXPECT_EQ(response.text, "Hello, wörld 🌍!");
  EXPECT_EQ(response.finishReason, "stop");
  EXPECT_EQ(response.usage.inputTokens, 9u);
  EXPECT_EQ(response.usage.outputTokens, 5u);
  EXPECT_FALSE(response.errorMessage);
  EXPECT_TRUE(response.toolCalls.empty());
}

TEST(OpenAiStream, ChatSplitAtEveryByte) {
  expectSplitInvariant(Operation::ChatCompletions, openAiFixture("chat_stream.sse"));
}

TEST(OpenAiStream, ChatToolCallsByIndexWithArgumentsJoined) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse, {openAiFixture("chat_stream_tools.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  const Response& response = r->response();
  EXPECT_EQ(response.id, "chatcmpl-tools");
  EXPECT_EQ(response.text, "");
  EXPECT_EQ(response.finishReason, "tool_calls");
  ASSERT_EQ(response.toolCalls.size(), 2u);
  EXPECT_EQ(response.toolCalls[0].id, "call_w");
  EXPECT_EQ(response.toolCalls[0].name, "get_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"city":"Paris"})");
  EXPECT_EQ(response.toolCalls[0].arguments.pointer, "");
  EXPECT_EQ(response.toolCalls[1].id, "call_t");
  EXPECT_EQ(response.toolCalls[1].name, "get_time");
  EXPECT_EQ(response.toolCalls[1].arguments.text, R"({"tz":"CET"})");
  EXPECT_FALSE(response.usage.inputTokens);  // include_usage was not asked for
}

TEST(OpenAiStream, ChatToolCallsSplitAtEveryByte) {
  // CRLF line ends, a comment line, interleaved tool calls.
  expectSplitInvariant(Operation::ChatCompletions, openAiFixture("chat_stream_tools.sse"));
}

TEST(OpenAiStream, InterleavedChoicesAreJoinedInChoiceOrder) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse, {openAiFixture("azure_chat_stream_two_choices.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  const Response& response = r->response();
  EXPECT_EQ(response.id, "chatcmpl-az1");  // Azure's first chunk has an empty id
  EXPECT_EQ(response.model, "gpt-4o-2024-11-20");
  EXPECT_EQ(response.text, "A1 A2B1 B2");
  EXPECT_EQ(response.finishReason, "length");  // the first choice to finish
  expectSplitInvariant(Operation::ChatCompletions, openAiFixture("azure_chat_stream_two_choices.sse"));
}

TEST(OpenAiStream, ResponseIsCurrentWhileStreaming) {
  const std::string body = openAiFixture("azure_chat_stream_two_choices.sse");
  auto r = reader(Operation::ChatCompletions);
  // Up to and including the third event: choice 1 "B1", then choice 0 "A1".
  size_t end = 0;
  for (int i = 0; i < 3; ++i) end = body.find("\n\n", end) + 2;
  r->feed(std::string_view(body).substr(0, end));
  EXPECT_EQ(r->response().text, "A1B1");
  const size_t fourth = body.find("\n\n", end) + 2;
  r->feed(std::string_view(body).substr(end, fourth - end));
  EXPECT_EQ(r->response().text, "A1B1 B2");
  r->feed(std::string_view(body).substr(fourth));
  r->finish();
  EXPECT_EQ(r->response().text, "A1 A2B1 B2");
}

TEST(OpenAiStream, TextCompletionChunks) {
  auto r = readOpenAi(Operation::Completions, 200, kSse, {openAiFixture("completions_stream.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().id, "cmpl-s1");
  EXPECT_EQ(r->response().text, "This is a test.");
  EXPECT_EQ(r->response().finishReason, "stop");
  EXPECT_EQ(r->response().usage.inputTokens, 4u);
  EXPECT_EQ(r->response().usage.outputTokens, 5u);
  expectSplitInvariant(Operation::Completions, openAiFixture("completions_stream.sse"));
}

TEST(OpenAiStream, LegacyFunctionCallDeltas) {
  auto r = readOpenAi(
      Operation::ChatCompletions, 200, kSse,
      {"data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"name\":\"f\",\"arguments\":\"\"}}}]}\n\n"
       "data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"arguments\":\"{\\\"a\\\"\"}}}]}\n\n"
       "data: {\"choices\":[{\"index\":0,\"delta\":{\"function_call\":{\"arguments\":\":1}\"}}}]}\n\n"
       "data: [DONE]\n\n"});
  ASSERT_FALSE(r->failed()) << r->failure();
  ASSERT_EQ(r->response().toolCalls.size(), 1u);
  EXPECT_EQ(r->response().toolCalls[0].name, "f");
  EXPECT_EQ(r->response().toolCalls[0].arguments.text, R"({"a":1})");
}

TEST(OpenAiStream, ErrorEventFillsErrorMessage) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse,
                      {"data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n"
                       "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
                       "\"type\":\"server_error\"}}\n\n"});
  ASSERT_FALSE(r->failed());
  EXPECT_EQ(r->response().text, "par");
  EXPECT_EQ(r->response().errorMessage, "The server had an error while processing your request.");
}

TEST(OpenAiStream, NothingAfterDoneIsRead) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse,
                      {"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n"
                       "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\ndata: not json\n\n"});
  EXPECT_FALSE(r->failed());
  EXPECT_EQ(r->response().text, "a");
}

TEST(OpenAiStream, ResponsesEvents) {
  auto r = readOpenAi(Operation::Responses, 200, kSse, {openAiFixture("responses_stream.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  const Response& response = r->response();
  EXPECT_EQ(response.id, "resp_stream1");
  EXPECT_EQ(response.model, "gpt-4.1-2025-04-14");
  EXPECT_EQ(response.text, "Hi there, ünïcode ✓");
  EXPECT_EQ(response.finishReason, "completed");
  EXPECT_EQ(response.usage.inputTokens, 37u);
  EXPECT_EQ(response.usage.outputTokens, 11u);
  EXPECT_FALSE(response.errorMessage);
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].id, "call_s1");
  EXPECT_EQ(response.toolCalls[0].name, "get_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, R"({"location":"Paris"})");
}

TEST(OpenAiStream, ResponsesSplitAtEveryByte) {
  expectSplitInvariant(Operation::Responses, openAiFixture("responses_stream.sse"));
}

TEST(OpenAiStream, ResponsesDeltasAreVisibleBeforeDone) {
  const std::string body = openAiFixture("responses_stream.sse");
  auto r = reader(Operation::Responses);
  r->feed(std::string_view(body).substr(0, body.find("response.output_text.done")));
  EXPECT_EQ(r->response().text, "Hi there, ünïcode ✓");
  const size_t argumentsDone = body.find("event: response.function_call_arguments.done");
  r->feed(std::string_view(body).substr(body.find("response.output_text.done"),
                                        argumentsDone - body.find("response.output_text.done")));
  ASSERT_EQ(r->response().toolCalls.size(), 1u);
  EXPECT_EQ(r->response().toolCalls[0].arguments.text, R"({"location":"Paris"})");
  EXPECT_EQ(r->response().finishReason, "");
}

TEST(OpenAiStream, ResponsesFailed) {
  auto r = readOpenAi(Operation::Responses, 200, kSse, {openAiFixture("responses_stream_failed.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().id, "resp_fail");
  EXPECT_EQ(r->response().model, "o3");
  EXPECT_EQ(r->response().text, "Partial");
  EXPECT_EQ(r->response().finishReason, "failed");
  EXPECT_EQ(r->response().errorMessage, "The model failed to generate a response.");
  expectSplitInvariant(Operation::Responses, openAiFixture("responses_stream_failed.sse"));
}

TEST(OpenAiStream, ResponsesErrorEvent) {
  auto r = readOpenAi(Operation::Responses, 200, kSse, {openAiFixture("responses_stream_error.sse")});
  ASSERT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().errorMessage, "Rate limit reached for o3 in organization org-x.");
}

TEST(OpenAiStream, ResponsesOnlyCompletedEvent) {
  auto r = readOpenAi(
      Operation::Responses, 200, kSse,
      {"event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r9\",\"status\":"
       "\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"output\":[{\"type\":\"message\","
       "\"content\":[{\"type\":\"output_text\",\"text\":\"whole\"}]},{\"type\":\"function_call\",\"call_id\":\"c\","
       "\"name\":\"f\",\"arguments\":\"{}\"}],\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}\n\n"});
  ASSERT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().id, "r9");
  EXPECT_EQ(r->response().text, "whole");
  EXPECT_EQ(r->response().finishReason, "max_output_tokens");
  ASSERT_EQ(r->response().toolCalls.size(), 1u);
  EXPECT_EQ(r->response().toolCalls[0].arguments.text, "{}");
  EXPECT_EQ(r->response().toolCalls[0].arguments.pointer, "");
  EXPECT_EQ(r->response().usage.outputTokens, 2u);
}

TEST(OpenAiStream, ResponsesTextPartsInOrder) {
  // Two content parts of one message and a second message, deltas arriving
  // out of order.
  auto r = readOpenAi(
      Operation::Responses, 200, kSse,
      {"data: {\"type\":\"response.output_text.delta\",\"output_index\":2,\"content_index\":0,\"delta\":\"C\"}\n\n"
       "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":1,\"delta\":\"B\"}\n\n"
       "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"A\"}\n\n"
       "data: {\"type\":\"response.refusal.delta\",\"output_index\":2,\"content_index\":1,\"delta\":\"D\"}\n\n"});
  ASSERT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().text, "ABCD");
}

TEST(OpenAiStream, MalformedEventsFailAndStopReading) {
  auto bad = readOpenAi(Operation::ChatCompletions, 200, kSse,
                        {"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json}\n\n"
                         "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"});
  EXPECT_TRUE(bad->failed());
  EXPECT_NE(bad->failure().find("event 2: malformed JSON"), std::string::npos) << bad->failure();
  EXPECT_EQ(bad->response().text, "a");

  auto array = readOpenAi(Operation::ChatCompletions, 200, kSse, {"data: [1]\n\n"});
  EXPECT_TRUE(array->failed());
  EXPECT_EQ(array->failure(), "event 1: expected a JSON object");

  auto wrongType = readOpenAi(Operation::ChatCompletions, 200, kSse,
                              {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":5}}]}\n\n"});
  EXPECT_TRUE(wrongType->failed());
  EXPECT_EQ(wrongType->failure(), "event 1: choices[0].delta.content: expected a string");

  auto choices = readOpenAi(Operation::ChatCompletions, 200, kSse, {"data: {\"choices\":{}}\n\n"});
  EXPECT_TRUE(choices->failed());
  EXPECT_EQ(choices->failure(), "event 1: choices: expected an array");

  auto args = readOpenAi(
      Operation::ChatCompletions, 200, kSse,
      {"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":[]}}]}}]}\n\n"});
  EXPECT_TRUE(args->failed());
  EXPECT_EQ(args->failure(), "event 1: choices[0].delta.tool_calls[0].function.arguments: expected a string");

  auto responses =
      readOpenAi(Operation::Responses, 200, kSse, {"data: {\"type\":\"response.output_text.delta\",\"delta\":{}}\n\n"});
  EXPECT_TRUE(responses->failed());
  EXPECT_EQ(responses->failure(), "event 1: delta: expected a string");
}

TEST(OpenAiStream, InvalidUtf8AndDeepNestingInEventsFail) {
  auto utf8 = readOpenAi(Operation::ChatCompletions, 200, kSse,
                         {"data: {\"choices\":[{\"delta\":{\"content\":\"\xed\xa0\x80\"}}]}\n\n"});
  EXPECT_TRUE(utf8->failed());
  auto deep = readOpenAi(Operation::Responses, 200, kSse,
                         {"data: " + std::string(10000, '[') + std::string(10000, ']') + "\n\n"});
  EXPECT_TRUE(deep->failed());
  EXPECT_NE(deep->failure().find("nested deeper"), std::string::npos);
}

TEST(OpenAiStream, KeepAlivesAndEmptyEventsAreNotFaults) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse,
                      {": ping\n\nevent: ping\n\ndata:\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"});
  EXPECT_FALSE(r->failed()) << r->failure();
  EXPECT_EQ(r->response().text, "x");
}

TEST(OpenAiStream, TruncatedStreamKeepsWhatArrived) {
  auto r = readOpenAi(Operation::ChatCompletions, 200, kSse,
                      {"data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"so far\"}}]}\n\ndata: {\"choi"});
  EXPECT_FALSE(r->failed());
  EXPECT_EQ(r->response().text, "so far");
  EXPECT_EQ(r->response().finishReason, "");
}

TEST(OpenAiStream, OverlongLineFails) {
  auto r = reader(Operation::ChatCompletions);
  const std::string chunk(1024 * 1024, 'x');
  r->feed("data: ");
  for (int i = 0; i < 9 && !r->failed(); ++i) r->feed(chunk);
  r->finish();
  EXPECT_TRUE(r->failed());
  EXPECT_NE(r->failure().find("too long"), std::string::npos);
}

TEST(OpenAiStream, ErrorStatusWithEventStreamTypeIsReadAsJson) {
  auto r = readOpenAi(Operation::ChatCompletions, 401, kSse,
                      {R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}})"});
  EXPECT_FALSE(r->failed());
  EXPECT_EQ(r->response().errorMessage, "Incorrect API key provided");
}

}  // namespace
}  // namespace warden::providers
