// Whole (non-streamed) JSON responses and error bodies.
#include <gtest/gtest.h>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::openAiFixture;
using testing::readOpenAi;

TEST(OpenAiResponse, ChatCompletionWithToolCalls) {
  const std::string body = openAiFixture("chat_response.json");
  // Body pieces may end anywhere, even inside a UTF-8 sequence or a number.
  auto reader = readOpenAi(Operation::ChatCompletions, 200, "application/json",
                           {std::string_view(body).substr(0, 17), std::string_view(body).substr(17)});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.id, "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
  EXPECT_EQ(r.model, "gpt-4o-2024-08-06");
  EXPECT_EQ(r.text, "Let me check the weather in Paris.");
  EXPECT_EQ(r.finishReason, "tool_calls");
  EXPECT_EQ(r.usage.inputTokens, 82u);
  EXPECT_EQ(r.usage.outputTokens, 41u);
  EXPECT_FALSE(r.errorMessage);
  ASSERT_EQ(r.toolCalls.size(), 2u);
  EXPECT_EQ(r.toolCalls[0].id, "call_abc");
  EXPECT_EQ(r.toolCalls[0].name, "get_weather");
  EXPECT_EQ(r.toolCalls[0].arguments.text, R"({"city":"Paris"})");
  EXPECT_EQ(r.toolCalls[0].arguments.pointer, "/choices/0/message/tool_calls/0/function/arguments");
  EXPECT_EQ(r.toolCalls[1].id, "call_def");
  EXPECT_EQ(r.toolCalls[1].name, "get_time");
  EXPECT_EQ(r.toolCalls[1].arguments.text, R"({"tz":"CET"})");
  EXPECT_EQ(r.toolCalls[1].arguments.pointer, "/choices/0/message/tool_calls/1/function/arguments");
}

TEST(OpenAiResponse, ChatCompletionChoicesRefusalAndLegacyFunctionCall) {
  const std::string body =
      R"({"id":"c1","model":"m","choices":[)"
      R"({"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"},)"
      R"({"index":1,"message":{"role":"assistant","content":" Second.","function_call":{"name":"f","arguments":"{\"a\":1}"}},)"
      R"("finish_reason":"function_call"}]})";
  auto reader = readOpenAi(Operation::ChatCompletions, 200, "application/json; charset=utf-8", {body});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.text, "I can't help with that. Second.");
  EXPECT_EQ(r.finishReason, "stop");  // the first choice's
  EXPECT_FALSE(r.usage.inputTokens);
  ASSERT_EQ(r.toolCalls.size(), 1u);
  EXPECT_EQ(r.toolCalls[0].id, "");
  EXPECT_EQ(r.toolCalls[0].name, "f");
  EXPECT_EQ(r.toolCalls[0].arguments.text, R"({"a":1})");
  EXPECT_EQ(r.toolCalls[0].arguments.pointer, "/choices/1/message/function_call/arguments");
}

TEST(OpenAiResponse, CompatibleServerContentParts) {
  auto reader =
      readOpenAi(Operation::ChatCompletions, 200, "application/json",
                 {R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}}]})"});
  ASSERT_FALSE(reader->failed());
  EXPECT_EQ(reader->response().text, "ab");
}

TEST(OpenAiResponse, TextCompletion) {
  auto reader =
      readOpenAi(Operation::Completions, 200, "application/json", {openAiFixture("completions_response.json")});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.id, "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7");
  EXPECT_EQ(r.model, "gpt-3.5-turbo-instruct");
  EXPECT_EQ(r.text, "\n\nThis is indeed a test and another");
  EXPECT_EQ(r.finishReason, "length");
  EXPECT_EQ(r.usage.inputTokens, 5u);
  EXPECT_EQ(r.usage.outputTokens, 7u);
  EXPECT_TRUE(r.toolCalls.empty());
}

TEST(OpenAiResponse, ResponsesObject) {
  auto reader = readOpenAi(Operation::Responses, 200, "application/json", {openAiFixture("responses_response.json")});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.id, "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b");
  EXPECT_EQ(r.model, "gpt-4.1-2025-04-14");
  EXPECT_EQ(r.text, "Take the 09:11 train to Sintra. Return by 18:00.");
  EXPECT_EQ(r.finishReason, "completed");
  EXPECT_EQ(r.usage.inputTokens, 36u);
  EXPECT_EQ(r.usage.outputTokens, 87u);
  EXPECT_FALSE(r.errorMessage);  // "error": null is no error
  ASSERT_EQ(r.toolCalls.size(), 1u);
  EXPECT_EQ(r.toolCalls[0].id, "call_book");
  EXPECT_EQ(r.toolCalls[0].name, "book_ticket");
  EXPECT_EQ(r.toolCalls[0].arguments.text, R"({"train":"09:11"})");
  EXPECT_EQ(r.toolCalls[0].arguments.pointer, "/output/2/arguments");
}

TEST(OpenAiResponse, ResponsesIncompleteAndFailed) {
  auto incomplete =
      readOpenAi(Operation::Responses, 200, "application/json",
                 {R"({"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},)"
                  R"("output":[{"type":"message","content":[{"type":"output_text","text":"cut"}]}]})"});
  ASSERT_FALSE(incomplete->failed());
  EXPECT_EQ(incomplete->response().finishReason, "max_output_tokens");
  EXPECT_EQ(incomplete->response().text, "cut");

  auto failed =
      readOpenAi(Operation::Responses, 200, "application/json",
                 {R"({"id":"r","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]})"});
  ASSERT_FALSE(failed->failed());
  EXPECT_EQ(failed->response().finishReason, "failed");
  EXPECT_EQ(failed->response().errorMessage, "boom");
}

TEST(OpenAiResponse, Embeddings) {
  auto reader = readOpenAi(Operation::Embeddings, 200, "application/json", {openAiFixture("embeddings_response.json")});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.model, "text-embedding-3-small");
  EXPECT_EQ(r.usage.inputTokens, 8u);
  EXPECT_FALSE(r.usage.outputTokens);
  EXPECT_EQ(r.text, "");
  EXPECT_TRUE(r.toolCalls.empty());
}

TEST(OpenAiResponse, Moderations) {
  auto reader =
      readOpenAi(Operation::Moderations, 200, "application/json", {openAiFixture("moderations_response.json")});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  EXPECT_EQ(reader->response().id, "modr-970d409ef3bef3b70c73d8232df86e7d");
  EXPECT_EQ(reader->response().model, "omni-moderation-latest");
  EXPECT_FALSE(reader->response().errorMessage);
}

TEST(OpenAiResponse, ErrorBodies) {
  auto limited =
      readOpenAi(Operation::ChatCompletions, 429, "application/json", {openAiFixture("error_rate_limit.json")});
  ASSERT_FALSE(limited->failed());
  EXPECT_EQ(limited->response().errorMessage,
            "Rate limit reached for gpt-4o in organization org-abc on requests per min (RPM): Limit 500, Used 500, "
            "Requested 1.");
  // Errors are JSON even when a stream was asked for.
  auto streamed = readOpenAi(
      Operation::ChatCompletions, 400, "application/json",
      {R"({"error":{"message":"Invalid 'messages'","type":"invalid_request_error","param":"messages","code":null}})"});
  EXPECT_EQ(streamed->response().errorMessage, "Invalid 'messages'");
  auto azure = readOpenAi(
      Operation::ChatCompletions, 404, "application/json",
      {R"({"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}})"});
  EXPECT_EQ(azure->response().errorMessage, "The API deployment for this resource does not exist.");
  auto codeOnly = readOpenAi(Operation::ChatCompletions, 500, "application/json", {R"({"error":{"code":"oops"}})"});
  EXPECT_EQ(codeOnly->response().errorMessage, "oops");
  auto ollama =
      readOpenAi(Operation::ChatCompletions, 404, "application/json", {R"({"error":"model \"x\" not found"})"});
  EXPECT_EQ(ollama->response().errorMessage, "model \"x\" not found");
  auto fastapi = readOpenAi(Operation::ChatCompletions, 422, "application/json", {R"({"detail":"Not Found"})"});
  EXPECT_EQ(fastapi->response().errorMessage, "Not Found");
  auto vllm = readOpenAi(Operation::Embeddings, 400, "application/json",
                         {R"({"object":"error","message":"too long","type":"BadRequestError","code":400})"});
  EXPECT_EQ(vllm->response().errorMessage, "too long");
  auto html = readOpenAi(Operation::ChatCompletions, 502, "text/html", {"<html>Bad Gateway</html>"});
  EXPECT_FALSE(html->failed());
  EXPECT_EQ(html->response().errorMessage, "HTTP 502 with a body that is not JSON");
  auto empty = readOpenAi(Operation::ChatCompletions, 503, "application/json", {R"({})"});
  EXPECT_EQ(empty->response().errorMessage, "HTTP 503");
}

TEST(OpenAiResponse, ErrorObjectInASuccessfulStatusIsAnError) {
  auto reader = readOpenAi(Operation::ChatCompletions, 200, "application/json",
                           {R"({"error":{"message":"upstream hiccup","type":"server_error"}})"});
  EXPECT_EQ(reader->response().errorMessage, "upstream hiccup");
}

TEST(OpenAiResponse, MalformedSuccessBodiesFail) {
  auto truncated = readOpenAi(Operation::ChatCompletions, 200, "application/json", {R"({"id":"c1","choices":[)"});
  EXPECT_TRUE(truncated->failed());
  EXPECT_NE(truncated->failure().find("response body: malformed JSON"), std::string::npos) << truncated->failure();
  auto array = readOpenAi(Operation::ChatCompletions, 200, "application/json", {"[1,2]"});
  EXPECT_TRUE(array->failed());
  EXPECT_EQ(array->failure(), "response body: expected a JSON object");
  auto badUtf8 = readOpenAi(Operation::ChatCompletions, 200, "application/json", {"{\"id\":\"\xc3\x28\"}"});
  EXPECT_TRUE(badUtf8->failed());
  auto deep = readOpenAi(Operation::ChatCompletions, 200, "application/json",
                         {std::string(10000, '[') + std::string(10000, ']')});
  EXPECT_TRUE(deep->failed());
  EXPECT_NE(deep->failure().find("nested deeper"), std::string::npos) << deep->failure();
}

TEST(OpenAiResponse, WrongFieldTypesInResponsesAreSkipped) {
  auto reader = readOpenAi(
      Operation::ChatCompletions, 200, "application/json",
      {R"({"id":5,"model":[],"choices":[7,{"message":"x"},{"message":{"content":3,"tool_calls":[1,{"function":"f"}]}},)"
       R"({"message":{"content":"ok"},"finish_reason":9}],"usage":{"prompt_tokens":-1,"completion_tokens":"2"}})"});
  ASSERT_FALSE(reader->failed()) << reader->failure();
  const Response& r = reader->response();
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.model, "");
  EXPECT_EQ(r.text, "ok");
  EXPECT_TRUE(r.toolCalls.empty());
  EXPECT_EQ(r.finishReason, "");
  EXPECT_FALSE(r.usage.inputTokens);
  EXPECT_FALSE(r.usage.outputTokens);
}

TEST(OpenAiResponse, FinishIsIdempotentAndLateFeedsAreIgnored) {
  auto reader = openAiAdapter().readResponse(testing::openAiRoute(Operation::ChatCompletions), 200, "application/json");
  reader->feed(R"({"choices":[{"message":{"content":"x"}}]})");
  reader->finish();
  reader->feed("garbage");
  reader->finish();
  EXPECT_FALSE(reader->failed());
  EXPECT_EQ(reader->response().text, "x");
}

}  // namespace
}  // namespace warden::providers
