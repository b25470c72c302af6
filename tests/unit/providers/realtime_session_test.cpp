// OpenAI Realtime sessions: the upgrade request's route, client events read
// into the conversation one by one, and server events assembled into the
// response, under GA and beta event names.
#include "providers/realtime_session.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "provider_test_support.h"
#include "providers/json_body.h"

namespace warden::providers {
namespace {

using testing::expectPointersResolve;
using testing::Json;

Route openAiRealtime(const std::string& model = "gpt-realtime") {
  Route route;
  route.provider = Provider::OpenAI;
  route.operation = Operation::Realtime;
  route.modelFromPath = model;
  return route;
}

void expectRealtime(const std::optional<Route>& route, Provider provider, const std::string& model) {
  ASSERT_TRUE(route.has_value());
  EXPECT_EQ(route->provider, provider) << toString(route->provider);
  EXPECT_EQ(route->operation, Operation::Realtime);
  EXPECT_EQ(route->modelFromPath, model);
  EXPECT_FALSE(route->streamFromPath);
}

// Reads `event` as a client message; its pointers must name its own strings.
Request client(RealtimeSession& session, const Json& event) {
  const std::string text = event.dump();
  auto read = session.clientEvent(text);
  EXPECT_TRUE(read.ok()) << text << ": " << (read.ok() ? "" : read.error().message);
  if (!read.ok()) return {};
  expectPointersResolve(text, *read);
  return std::move(*read);
}

void server(RealtimeSession& session, const Json& event) { session.serverEvent(event.dump()); }

TEST(RealtimeRoute, OpenAiPathWithModelFromQuery) {
  expectRealtime(realtimeRoute("api.openai.com", "/v1/realtime?model=gpt-realtime"), Provider::OpenAI, "gpt-realtime");
  expectRealtime(realtimeRoute("api.openai.com:443", "/v1/realtime/?model=gpt-4o-realtime-preview"), Provider::OpenAI,
                 "gpt-4o-realtime-preview");
  expectRealtime(realtimeRoute("api.openai.com", "/v1/realtime?x=1&model=gpt%2Drealtime%2Fmini&y#frag"),
                 Provider::OpenAI, "gpt-realtime/mini");
  expectRealtime(realtimeRoute("api.openai.com", "/v1/realtime"), Provider::OpenAI, "");
  // Spelled differently, routed as the server routes it.
  expectRealtime(realtimeRoute("api.openai.com", "//v1/./%72ealtime?model=m"), Provider::OpenAI, "m");
}

TEST(RealtimeRoute, ModelGivenTwiceDiffering) {
  expectRealtime(realtimeRoute("api.openai.com", "/v1/realtime?model=a&model=a"), Provider::OpenAI, "a");
  // Which one the upstream takes is unknown: neither is trusted.
  expectRealtime(realtimeRoute("api.openai.com", "/v1/realtime?model=cheap&model=other"), Provider::OpenAI, "");
}

TEST(RealtimeRoute, AzureDeploymentAndV1Model) {
  expectRealtime(realtimeRoute("res.openai.azure.com", "/openai/realtime?api-version=2025-04-01-preview&deployment=rt"),
                 Provider::AzureOpenAI, "rt");
  expectRealtime(realtimeRoute("res.openai.azure.com", "/openai/realtime?model=rt-model&api-version=x"),
                 Provider::AzureOpenAI, "rt-model");
  expectRealtime(realtimeRoute("res.cognitiveservices.azure.com", "/openai/v1/realtime?model=gpt-realtime"),
                 Provider::AzureOpenAI, "gpt-realtime");
  EXPECT_FALSE(realtimeRoute("res.openai.azure.com", "/v1/realtime?model=x"));
  EXPECT_FALSE(realtimeRoute("res.openai.azure.com", "/openai/deployments/rt/chat/completions"));
}

TEST(RealtimeRoute, CompatibleServersAndOtherPaths) {
  expectRealtime(realtimeRoute("localhost:8080", "/v1/realtime?model=local"), Provider::Unknown, "local");
  expectRealtime(realtimeRoute("gateway.internal", "/team/v1/realtime?model=g"), Provider::Unknown, "g");
  expectRealtime(realtimeRoute("gateway.internal", "/azure/openai/realtime?deployment=d"), Provider::Unknown, "d");
  EXPECT_FALSE(realtimeRoute("api.openai.com", "/v1/chat/completions"));
  EXPECT_FALSE(realtimeRoute("api.openai.com", "/v1/realtime/client_secrets"));
  EXPECT_FALSE(realtimeRoute("api.openai.com", "/v1/realtime/calls"));
  EXPECT_FALSE(realtimeRoute("api.openai.com", "/realtime?model=x"));
  EXPECT_FALSE(realtimeRoute("api.anthropic.com", "/v1/realtime"));
  EXPECT_FALSE(realtimeRoute("generativelanguage.googleapis.com", "/v1/realtime"));
  EXPECT_FALSE(realtimeRoute("localhost", "/v1/realtime/x"));
}

// A recorded-style GA session: configuration, a user turn, a tool round
// trip, two responses and an error.
// A stored prompt's variables reach the model as text: read like the
// Responses API's, as one user turn in key order.
TEST(RealtimeSession, PromptVariablesInSessionAndResponseAreRead) {
  RealtimeSession session(openAiRealtime());
  const Request update = client(
      session, {{"type", "session.update"},
                {"session",
                 {{"type", "realtime"},
                  {"prompt", {{"id", "pmpt_1"}, {"variables", {{"topic", "tides"}, {"city", "Brest"}}}}}}}});
  ASSERT_EQ(update.messages.size(), 1u);
  EXPECT_EQ(update.messages[0].role, Role::User);
  ASSERT_EQ(update.messages[0].parts.size(), 2u);
  testing::expectText(update.messages[0].parts[0], "Brest", "/session/prompt/variables/city");
  testing::expectText(update.messages[0].parts[1], "tides", "/session/prompt/variables/topic");

  const Request response = client(session, Json::parse(R"({"type": "response.create", "response": {"prompt":
      {"id": "pmpt_2", "variables": {"note": {"type": "input_text", "text": "be brief"}}}}})"));
  ASSERT_EQ(response.messages.size(), 1u);
  testing::expectText(response.messages[0].parts.at(0), "be brief", "/response/prompt/variables/note/text");

  auto bad = session.clientEvent(
      R"({"type":"session.update","session":{"prompt":{"id":"p","variables":{"n":3}}}})");
  EXPECT_FALSE(bad.ok());
}

TEST(RealtimeSession, FullSession) {
  RealtimeSession session(openAiRealtime());
  EXPECT_EQ(session.request().provider, Provider::OpenAI);
  EXPECT_EQ(session.request().operation, Operation::Realtime);
  EXPECT_EQ(session.request().model, "gpt-realtime");

  const Request update =
      client(session, {{"type", "session.update"},
                       {"event_id", "evt_1"},
                       {"session",
                        {{"type", "realtime"},
                         {"model", "gpt-realtime-2025-08-28"},
                         {"instructions", "You are a helpful travel agent."},
                         {"output_modalities", {"audio"}},
                         {"max_output_tokens", 400},
                         {"tools",
                          {{{"type", "function"},
                            {"name", "get_weather"},
                            {"description", "Weather for a city."},
                            {"parameters", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}},
                           {{"type", "mcp"}, {"server_label", "maps"}, {"server_url", "https://mcp.example/"}}}},
                         {"tool_choice", "auto"}}}});
  EXPECT_EQ(update.provider, Provider::OpenAI);
  EXPECT_EQ(update.operation, Operation::Realtime);
  EXPECT_EQ(update.model, "gpt-realtime-2025-08-28");
  EXPECT_EQ(update.maxOutputTokens, 400u);
  ASSERT_EQ(update.messages.size(), 1u);
  EXPECT_EQ(update.messages[0].role, Role::System);
  testing::expectText(update.messages[0].parts.at(0), "You are a helpful travel agent.", "/session/instructions");
  ASSERT_EQ(update.tools.size(), 2u);
  EXPECT_EQ(update.tools[0].type, "function");
  EXPECT_EQ(update.tools[0].name, "get_weather");
  EXPECT_EQ(update.tools[0].description.text, "Weather for a city.");
  EXPECT_EQ(update.tools[0].description.pointer, "/session/tools/0/description");
  EXPECT_EQ(update.tools[1].type, "mcp");
  EXPECT_EQ(update.tools[1].name, "maps");
  EXPECT_EQ(session.request().model, "gpt-realtime-2025-08-28");
  EXPECT_EQ(session.request().maxOutputTokens, 400u);

  const Request user = client(session, {{"type", "conversation.item.create"},
                                        {"item",
                                         {{"type", "message"},
                                          {"role", "user"},
                                          {"content", {{{"type", "input_text"}, {"text", "Weather in Oslo?"}}}}}}});
  ASSERT_EQ(user.messages.size(), 1u);
  EXPECT_EQ(user.messages[0].role, Role::User);
  testing::expectText(user.messages[0].parts.at(0), "Weather in Oslo?", "/item/content/0/text");
  EXPECT_TRUE(user.tools.empty());
  EXPECT_EQ(user.model, "gpt-realtime-2025-08-28");

  const Request call = client(session, {{"type", "conversation.item.create"},
                                        {"item",
                                         {{"type", "function_call"},
                                          {"call_id", "call_1"},
                                          {"name", "get_weather"},
                                          {"arguments", "{\"city\":\"Oslo\"}"}}}});
  ASSERT_EQ(call.messages.size(), 1u);
  EXPECT_EQ(call.messages[0].role, Role::Assistant);
  ASSERT_EQ(call.messages[0].toolCalls.size(), 1u);
  EXPECT_EQ(call.messages[0].toolCalls[0].id, "call_1");
  EXPECT_EQ(call.messages[0].toolCalls[0].name, "get_weather");
  EXPECT_EQ(call.messages[0].toolCalls[0].arguments.text, "{\"city\":\"Oslo\"}");
  EXPECT_EQ(call.messages[0].toolCalls[0].arguments.pointer, "/item/arguments");

  const Request output = client(
      session, {{"type", "conversation.item.create"},
                {"previous_item_id", "item_1"},
                {"item", {{"type", "function_call_output"}, {"call_id", "call_1"}, {"output", "{\"temp_c\":4}"}}}});
  ASSERT_EQ(output.messages.size(), 1u);
  EXPECT_EQ(output.messages[0].role, Role::Tool);
  EXPECT_EQ(output.messages[0].toolCallId, "call_1");
  testing::expectText(output.messages[0].parts.at(0), "{\"temp_c\":4}", "/item/output");

  const Request create =
      client(session, {{"type", "response.create"},
                       {"response",
                        {{"instructions", "Answer briefly."},
                         {"input",
                          {{{"type", "item_reference"}, {"id", "item_1"}},
                           {{"type", "message"},
                            {"role", "user"},
                            {"content", {{{"type", "input_text"}, {"text", "And tomorrow?"}}}}}}}}}});
  ASSERT_EQ(create.messages.size(), 2u);
  EXPECT_EQ(create.messages[0].role, Role::System);
  testing::expectText(create.messages[0].parts.at(0), "Answer briefly.", "/response/instructions");
  EXPECT_EQ(create.messages[1].role, Role::User);
  testing::expectText(create.messages[1].parts.at(0), "And tomorrow?", "/response/input/1/content/0/text");
  EXPECT_FALSE(create.maxOutputTokens);  // the session's limit is not this event's

  // The whole conversation, in the order it was sent.
  const Request& all = session.request();
  ASSERT_EQ(all.messages.size(), 6u);
  EXPECT_EQ(all.messages[0].parts.at(0).text.text, "You are a helpful travel agent.");
  EXPECT_EQ(all.messages[1].parts.at(0).text.text, "Weather in Oslo?");
  EXPECT_EQ(all.messages[2].toolCalls.at(0).id, "call_1");
  EXPECT_EQ(all.messages[3].toolCallId, "call_1");
  EXPECT_EQ(all.messages[4].parts.at(0).text.text, "Answer briefly.");
  EXPECT_EQ(all.messages[5].parts.at(0).text.text, "And tomorrow?");
  EXPECT_EQ(all.tools.size(), 2u);

  server(session, {{"type", "session.created"}, {"session", {{"model", "gpt-realtime-2025-08-28"}}}});
  server(session, {{"type", "response.created"}, {"response", {{"id", "resp_1"}, {"status", "in_progress"}}}});
  server(session, {{"type", "response.output_item.added"},
                   {"response_id", "resp_1"},
                   {"output_index", 0},
                   {"item", {{"type", "function_call"}, {"call_id", "call_2"}, {"name", "get_weather"}}}});
  server(session, {{"type", "response.function_call_arguments.delta"},
                   {"response_id", "resp_1"},
                   {"output_index", 0},
                   {"delta", "{\"city\":"}});
  server(session, {{"type", "response.function_call_arguments.done"},
                   {"response_id", "resp_1"},
                   {"output_index", 0},
                   {"call_id", "call_2"},
                   {"name", "get_weather"},
                   {"arguments", "{\"city\":\"Bergen\"}"}});
  server(session, {{"type", "response.output_text.delta"},
                   {"response_id", "resp_1"},
                   {"output_index", 1},
                   {"content_index", 0},
                   {"delta", "Cold, "}});
  server(session, {{"type", "response.output_text.delta"},
                   {"response_id", "resp_1"},
                   {"output_index", 1},
                   {"content_index", 0},
                   {"delta", "4°C."}});
  server(session, {{"type", "rate_limits.updated"}, {"rate_limits", Json::array()}});
  server(session, {{"type", "response.done"},
                   {"response",
                    {{"id", "resp_1"},
                     {"status", "completed"},
                     {"usage", {{"total_tokens", 30}, {"input_tokens", 20}, {"output_tokens", 10}}}}}});
  server(session, {{"type", "response.created"}, {"response", {{"id", "resp_2"}}}});
  server(session, {{"type", "response.output_audio_transcript.delta"},
                   {"response_id", "resp_2"},
                   {"output_index", 0},
                   {"content_index", 0},
                   {"delta", " Rain tomorrow."}});
  server(session, {{"type", "response.output_audio.delta"}, {"response_id", "resp_2"}, {"delta", "AAAA"}});
  server(session,
         {{"type", "response.done"},
          {"response",
           {{"id", "resp_2"}, {"status", "incomplete"}, {"usage", {{"input_tokens", 35}, {"output_tokens", 7}}}}}});
  server(session, {{"type", "error"},
                   {"error",
                    {{"type", "invalid_request_error"},
                     {"code", "invalid_value"},
                     {"message", "Invalid value: 'x'."},
                     {"event_id", "evt_9"}}}});

  const Response& response = session.response();
  EXPECT_EQ(response.model, "gpt-realtime-2025-08-28");
  EXPECT_EQ(response.text, "Cold, 4°C. Rain tomorrow.");
  ASSERT_EQ(response.toolCalls.size(), 1u);
  EXPECT_EQ(response.toolCalls[0].id, "call_2");
  EXPECT_EQ(response.toolCalls[0].name, "get_weather");
  EXPECT_EQ(response.toolCalls[0].arguments.text, "{\"city\":\"Bergen\"}");
  EXPECT_EQ(response.usage.inputTokens, 55u);
  EXPECT_EQ(response.usage.outputTokens, 17u);
  EXPECT_EQ(response.finishReason, "incomplete");
  EXPECT_EQ(response.id, "resp_2");
  EXPECT_EQ(response.errorMessage, "Invalid value: 'x'.");

  EXPECT_EQ(session.counts().clientEvents, 5u);
  EXPECT_EQ(session.counts().serverEvents, 14u);
  EXPECT_EQ(session.counts().uninspected, 0u);
  EXPECT_EQ(session.counts().malformed, 0u);
}

// The beta names of the same events, and its content part types.
TEST(RealtimeSession, BetaEventNames) {
  RealtimeSession session(openAiRealtime("gpt-4o-realtime-preview"));
  const Request update = client(session, {{"type", "session.update"},
                                          {"session",
                                           {{"modalities", {"text", "audio"}},
                                            {"instructions", "Be terse."},
                                            {"temperature", 0.7},
                                            {"max_response_output_tokens", "inf"}}}});
  EXPECT_EQ(update.model, "gpt-4o-realtime-preview");
  EXPECT_EQ(update.temperature, 0.7);
  EXPECT_FALSE(update.maxOutputTokens);
  EXPECT_EQ(session.request().temperature, 0.7);

  const Request assistant =
      client(session,
             {{"type", "conversation.item.create"},
              {"item",
               {{"type", "message"},
                {"role", "assistant"},
                {"content",
                 {{{"type", "text"}, {"text", "Earlier answer."}}, {{"type", "audio"}, {"transcript", "Spoken."}}}}}}});
  ASSERT_EQ(assistant.messages.size(), 1u);
  EXPECT_EQ(assistant.messages[0].role, Role::Assistant);
  testing::expectText(assistant.messages[0].parts.at(0), "Earlier answer.", "/item/content/0/text");
  EXPECT_EQ(assistant.messages[0].parts.at(1).kind, Part::Kind::Audio);
  EXPECT_EQ(assistant.messages[0].parts.at(1).text.text, "Spoken.");
  EXPECT_EQ(assistant.messages[0].parts.at(1).text.pointer, "/item/content/1/transcript");

  server(session, {{"type", "session.updated"}, {"session", {{"model", "gpt-4o-realtime-preview-2024-12-17"}}}});
  server(session, {{"type", "response.text.delta"}, {"response_id", "r1"}, {"delta", "Hi"}});
  server(session, {{"type", "response.text.done"}, {"response_id", "r1"}, {"text", "Hi there"}});
  server(session, {{"type", "response.audio_transcript.delta"},
                   {"response_id", "r1"},
                   {"output_index", 1},
                   {"delta", " - spoken"}});
  server(session, {{"type", "response.done"},
                   {"response", {{"id", "r1"}, {"status", "completed"}, {"usage", {{"input_tokens", 3}}}}}});
  EXPECT_EQ(session.response().model, "gpt-4o-realtime-preview-2024-12-17");
  EXPECT_EQ(session.response().text, "Hi there - spoken");
  EXPECT_EQ(session.response().usage.inputTokens, 3u);
  EXPECT_FALSE(session.response().usage.outputTokens);
}

TEST(RealtimeSession, AudioAndImagePartsAreSizedNotRead) {
  RealtimeSession session(openAiRealtime());
  // "AAAAAAAA" is 6 bytes of audio; the transcript is text the model sees.
  const Request audio = client(
      session,
      {{"type", "conversation.item.create"},
       {"item",
        {{"type", "message"},
         {"role", "user"},
         {"content",
          {{{"type", "input_audio"}, {"audio", "AAAAAAAA"}, {"transcript", "hello"}},
           {{"type", "input_image"}, {"image_url", "data:image/png;base64,iVBORw0KGgo="}, {"detail", "auto"}}}}}}});
  ASSERT_EQ(audio.messages.size(), 1u);
  const Part& sound = audio.messages[0].parts.at(0);
  EXPECT_EQ(sound.kind, Part::Kind::Audio);
  EXPECT_EQ(sound.bytes, 6u);
  EXPECT_EQ(sound.text.text, "hello");
  EXPECT_EQ(sound.text.pointer, "/item/content/0/transcript");
  testing::expectData(audio.messages[0].parts.at(1), Part::Kind::Image, "image/png", 8, "");

  // Audio appends are counted and carry nothing to judge.
  const Request append = client(session, {{"type", "input_audio_buffer.append"}, {"audio", "AAAAAAAAAAAA"}});
  EXPECT_TRUE(append.messages.empty());
  EXPECT_TRUE(append.tools.empty());
  EXPECT_EQ(append.operation, Operation::Realtime);
  for (const char* type :
       {"input_audio_buffer.commit", "input_audio_buffer.clear", "response.cancel", "conversation.item.truncate",
        "conversation.item.delete", "conversation.item.retrieve", "transcription_session.update"}) {
    const Request none = client(session, {{"type", type}, {"item_id", "item_1"}});
    EXPECT_TRUE(none.messages.empty()) << type;
  }
  EXPECT_EQ(session.counts().clientEvents, 9u);
  EXPECT_EQ(session.counts().uninspected, 0u);
  EXPECT_EQ(session.request().messages.size(), 1u);
}

// Every event's pointers name strings of that event, however deep.
TEST(RealtimeSession, PointersResolveWithinEachEvent) {
  RealtimeSession session(openAiRealtime());
  const std::vector<Json> events = {
      {{"type", "session.update"},
       {"session",
        {{"instructions", "a/b ~ c"}, {"tools", {{{"type", "function"}, {"name", "f"}, {"description", "does f"}}}}}}},
      {{"type", "conversation.item.create"},
       {"item",
        {{"type", "message"},
         {"role", "system"},
         {"content", {{{"type", "input_text"}, {"text", "one"}}, {{"type", "input_text"}, {"text", "two"}}}}}}},
      {{"type", "response.create"},
       {"response",
        {{"conversation", "none"},
         {"input",
          {{{"type", "function_call"}, {"call_id", "c"}, {"name", "f"}, {"arguments", "{}"}},
           {{"type", "function_call_output"}, {"call_id", "c"}, {"output", "done"}},
           {{"type", "message"},
            {"role", "user"},
            {"content", {{{"type", "input_audio"}, {"transcript", "said"}}}}}}}}}},
  };
  for (const Json& event : events) {
    const std::string text = event.dump();
    auto read = session.clientEvent(text);
    ASSERT_TRUE(read.ok()) << read.error().message;
    expectPointersResolve(text, *read);
    // Checked with this parser as well as with nlohmann's.
    auto document = parseJsonBody(text, 64);
    ASSERT_TRUE(document.ok());
    size_t checked = 0;
    for (const Message& message : read->messages) {
      for (const Part& part : message.parts) {
        const auto value = document->root().atPointer(part.text.pointer);
        ASSERT_TRUE(value) << part.text.pointer;
        EXPECT_EQ(value->string(), part.text.text);
        ++checked;
      }
      for (const ToolCall& call : message.toolCalls) {
        const auto value = document->root().atPointer(call.arguments.pointer);
        ASSERT_TRUE(value) << call.arguments.pointer;
        EXPECT_EQ(value->string(), call.arguments.text);
        ++checked;
      }
    }
    EXPECT_GT(checked, 0u) << text;
  }
  EXPECT_EQ(session.request().messages.at(0).parts.at(0).text.pointer, "/session/instructions");
  EXPECT_EQ(session.request().messages.at(4).parts.at(0).text.pointer, "/response/input/2/content/0/transcript");
}

TEST(RealtimeSession, MalformedClientEventsAreRefusedAndCounted) {
  RealtimeSession session(openAiRealtime());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "realtime client message"},
      {"[1,2]", "expected a JSON object"},
      {"{\"event_id\":\"e\"}", "no string \"type\""},
      {"{\"type\":5}", "no string \"type\""},
      {R"({"type":"conversation.item.create"})", "item: expected an object (it is required)"},
      {R"({"type":"conversation.item.create","item":{"type":"message","role":"user",)"
       R"("content":[{"type":"input_text","text":5}]}})",
       "item.content[0].text: expected a string"},
      {R"({"type":"session.update","session":{"tools":[{"type":"function","description":"d"}]}})",
       "session.tools[0].name"},
      {R"({"type":"session.update","session":{"max_output_tokens":-1}})", "session.max_output_tokens"},
      {R"({"type":"response.create","response":{"input":"hi"}})", "response.input: expected an array"},
  };
  for (const auto& [message, expected] : cases) {
    auto read = session.clientEvent(message);
    ASSERT_FALSE(read.ok()) << message;
    EXPECT_NE(read.error().message.find(expected), std::string::npos) << read.error().message;
  }
  EXPECT_EQ(session.counts().malformed, cases.size());
  EXPECT_EQ(session.counts().clientEvents, 0u);
  // A refused event adds nothing, not even the parts read before the fault.
  auto partly = session.clientEvent(
      R"({"type":"response.create","response":{"instructions":"kept?","input":[{"type":"message","role":7}]}})");
  ASSERT_FALSE(partly.ok());
  EXPECT_TRUE(session.request().messages.empty());
}

TEST(RealtimeSession, UnknownTypesAreCountedAsUninspected) {
  RealtimeSession session(openAiRealtime());
  const Request unknown = client(session, {{"type", "session.future_feature"}, {"payload", "text?"}});
  EXPECT_TRUE(unknown.messages.empty());
  EXPECT_EQ(session.counts().uninspected, 1u);
  // A known event holding an item of a type not read here.
  const Request item = client(session, {{"type", "conversation.item.create"},
                                        {"item", {{"type", "mcp_approval_response"}, {"approve", true}}}});
  EXPECT_TRUE(item.messages.empty());
  EXPECT_EQ(session.counts().uninspected, 2u);
  const Request part =
      client(session, {{"type", "conversation.item.create"},
                       {"item",
                        {{"type", "message"},
                         {"role", "user"},
                         {"content", {{{"type", "input_video"}}, {{"type", "input_text"}, {"text", "x"}}}}}}});
  ASSERT_EQ(part.messages.size(), 1u);
  EXPECT_EQ(part.messages[0].parts.at(0).kind, Part::Kind::Other);
  testing::expectText(part.messages[0].parts.at(1), "x", "/item/content/1/text");
  EXPECT_EQ(session.counts().uninspected, 3u);
  session.uninspected();  // a binary frame
  EXPECT_EQ(session.counts().uninspected, 4u);
  EXPECT_EQ(session.counts().clientEvents, 3u);
  EXPECT_EQ(session.counts().malformed, 0u);
}

TEST(RealtimeSession, MalformedAndUnknownServerEvents) {
  RealtimeSession session(openAiRealtime());
  session.serverEvent("not json");
  session.serverEvent("\"string\"");
  session.serverEvent(R"({"delta":"no type"})");
  session.serverEvent(R"({"type":"response.output_text.delta","delta":5})");
  session.serverEvent(R"({"type":"response.done","response":"x"})");
  EXPECT_EQ(session.counts().malformed, 5u);
  EXPECT_EQ(session.counts().serverEvents, 0u);
  session.serverEvent(R"({"type":"conversation.item.created","item":{}})");
  session.serverEvent(R"({"type":"some.new.event"})");
  session.serverEvent(R"({"type":"error"})");
  EXPECT_EQ(session.counts().serverEvents, 3u);
  EXPECT_EQ(session.counts().uninspected, 0u);
  EXPECT_EQ(session.response().text, "");
  EXPECT_EQ(session.response().errorMessage, "error event without a message");
}

TEST(RealtimeSession, TextBudgetBoundsOutput) {
  RealtimeSession session(openAiRealtime(), 20);
  const auto call = [&](int index, const std::string& id) {
    server(session, {{"type", "response.function_call_arguments.done"},
                     {"response_id", "r"},
                     {"output_index", index},
                     {"call_id", id},
                     {"name", "f"},
                     {"arguments", "{\"a\":1}"}});
  };
  call(0, "c");  // 9 bytes of the 20: id, name and arguments
  server(session,
         {{"type", "response.output_text.delta"}, {"response_id", "r"}, {"output_index", 1}, {"delta", "Hello, "}});
  server(
      session,
      {{"type", "response.output_text.delta"}, {"response_id", "r"}, {"output_index", 1}, {"delta", "wörld and more"}});
  server(session, {{"type", "response.output_text.delta"}, {"response_id", "r"}, {"output_index", 1}, {"delta", "!"}});
  call(2, "d");
  // "Hello, " + "wör" is the 11 bytes left; the cut keeps whole characters.
  EXPECT_EQ(session.response().text, "Hello, wör");
  ASSERT_EQ(session.response().toolCalls.size(), 2u);
  EXPECT_EQ(session.response().toolCalls[0].id, "c");
  EXPECT_EQ(session.response().toolCalls[0].name, "f");
  EXPECT_EQ(session.response().toolCalls[0].arguments.text, "{\"a\":1}");
  // A call after the budget is spent is seen, its text not kept.
  EXPECT_EQ(session.response().toolCalls[1].id, "");
  EXPECT_EQ(session.response().toolCalls[1].arguments.text, "");

  // Client text: each event comes back whole, the session's copy is bounded.
  const std::string longText(64, 'x');
  for (int i = 0; i < 3; ++i) {
    const Request event = client(
        session,
        {{"type", "conversation.item.create"},
         {"item",
          {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", longText}}}}}}});
    EXPECT_EQ(event.messages.at(0).parts.at(0).text.text, longText);
  }
  ASSERT_EQ(session.request().messages.size(), 1u);
  EXPECT_EQ(session.request().messages[0].parts.at(0).text.text, std::string(20, 'x'));
}

TEST(RealtimeSession, EachEventReturnsOnlyItsOwnContent) {
  RealtimeSession session(openAiRealtime());
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    const std::string text = "turn " + std::to_string(i);
    const Request event = client(
        session,
        {{"type", "conversation.item.create"},
         {"item", {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", text}}}}}}});
    ASSERT_EQ(event.messages.size(), 1u);
    ASSERT_EQ(event.messages[0].parts.size(), 1u);
    EXPECT_EQ(event.messages[0].parts[0].text.text, text);
    EXPECT_TRUE(event.tools.empty());
    sent.push_back(text);
  }
  const Request tools =
      client(session, {{"type", "session.update"}, {"session", {{"tools", {{{"type", "function"}, {"name", "f"}}}}}}});
  EXPECT_TRUE(tools.messages.empty());
  EXPECT_EQ(tools.tools.size(), 1u);
  const Request again =
      client(session, {{"type", "session.update"}, {"session", {{"tools", {{{"type", "function"}, {"name", "f"}}}}}}});
  EXPECT_EQ(again.tools.size(), 1u);              // the event says it again...
  EXPECT_EQ(session.request().tools.size(), 1u);  // ...the session holds it once
  ASSERT_EQ(session.request().messages.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(session.request().messages[i].parts[0].text.text, sent[i]);
}

// Responses under way together read in the order they were created, and a
// response's final output stands in for deltas that were not seen.
TEST(RealtimeSession, InterleavedResponsesAndFinalOutput) {
  RealtimeSession session(openAiRealtime());
  server(session, {{"type", "response.created"}, {"response", {{"id", "a"}}}});
  server(session, {{"type", "response.created"}, {"response", {{"id", "b"}}}});
  server(session, {{"type", "response.output_text.delta"}, {"response_id", "b"}, {"delta", "B1 "}});
  server(session, {{"type", "response.output_text.delta"}, {"response_id", "a"}, {"delta", "A1 "}});
  server(session, {{"type", "response.output_text.delta"}, {"response_id", "b"}, {"delta", "B2 "}});
  server(session, {{"type", "response.output_text.delta"}, {"response_id", "a"}, {"delta", "A2 "}});
  EXPECT_EQ(session.response().text, "A1 A2 B1 B2 ");

  server(session,
         {{"type", "response.done"},
          {"response",
           {{"id", "c"},
            {"status", "completed"},
            {"output",
             {{{"type", "message"},
               {"role", "assistant"},
               {"content", {{{"type", "output_audio"}, {"transcript", "C only at the end."}}}}},
              {{"type", "function_call"}, {"call_id", "call_c"}, {"name", "g"}, {"arguments", "{\"x\":2}"}}}}}}});
  EXPECT_EQ(session.response().text, "A1 A2 B1 B2 C only at the end.");
  ASSERT_EQ(session.response().toolCalls.size(), 1u);
  EXPECT_EQ(session.response().toolCalls[0].id, "call_c");
  EXPECT_EQ(session.response().toolCalls[0].name, "g");
  EXPECT_EQ(session.response().toolCalls[0].arguments.text, "{\"x\":2}");

  server(session, {{"type", "response.done"},
                   {"response",
                    {{"id", "d"},
                     {"status", "failed"},
                     {"status_details", {{"type", "failed"}, {"error", {{"message", "Upstream overloaded."}}}}}}}});
  EXPECT_EQ(session.response().finishReason, "failed");
  EXPECT_EQ(session.response().errorMessage, "Upstream overloaded.");
  EXPECT_FALSE(session.response().usage.inputTokens);
}

// Damaged messages are refused or read, never a crash, and each is counted
// exactly once.
TEST(RealtimeSession, DamagedMessagesAreEachCountedOnce) {
  const std::vector<Json> events = {
      {{"type", "session.update"},
       {"session",
        {{"instructions", "Be kind."},
         {"tools", {{{"type", "function"}, {"name", "f"}, {"description", "d"}}}},
         {"max_output_tokens", 5}}}},
      {{"type", "conversation.item.create"},
       {"item",
        {{"type", "message"},
         {"role", "user"},
         {"content",
          {{{"type", "input_text"}, {"text", "hi"}},
           {{"type", "input_audio"}, {"audio", "AAAA"}, {"transcript", "t"}}}}}}},
      {{"type", "response.create"},
       {"response", {{"input", {{{"type", "function_call_output"}, {"call_id", "c"}, {"output", "o"}}}}}}},
      {{"type", "response.output_text.delta"},
       {"response_id", "r"},
       {"output_index", 0},
       {"content_index", 0},
       {"delta", "x"}},
      {{"type", "response.function_call_arguments.done"}, {"response_id", "r"}, {"call_id", "c"}, {"arguments", "{}"}},
      {{"type", "response.done"},
       {"response",
        {{"id", "r"},
         {"status", "completed"},
         {"usage", {{"input_tokens", 1}}},
         {"output", {{{"type", "message"}, {"content", {{{"type", "output_text"}, {"text", "x"}}}}}}}}}},
  };
  std::vector<std::string> messages;
  messages.reserve(events.size());
  for (const Json& event : events) messages.push_back(event.dump());
  const std::string junk = "{}[]\":,\\ \xff\x80tfn0-5";
  std::mt19937 random(7);
  RealtimeSession session(openAiRealtime(), 4096);
  uint64_t sent = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = messages[random() % messages.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < edits; ++i) damaged[random() % damaged.size()] = junk[random() % junk.size()];
    auto read = session.clientEvent(damaged);
    EXPECT_TRUE(read.ok() || !read.error().message.empty());
    session.serverEvent(damaged);
    ++sent;
  }
  const RealtimeCounts& counts = session.counts();
  EXPECT_EQ(counts.clientEvents + counts.serverEvents + counts.malformed, 2 * sent);
  EXPECT_GT(counts.malformed, 0u);
  EXPECT_GT(counts.clientEvents, 0u);
}

// A server naming ever new responses and calls grows the session only so far.
TEST(RealtimeSession, FloodsOfNewIdsAreBounded) {
  RealtimeSession session(openAiRealtime());
  for (int i = 0; i < 200; ++i) {
    server(session, {{"type", "response.output_text.delta"}, {"response_id", "r" + std::to_string(i)}, {"delta", "x"}});
  }
  EXPECT_EQ(session.response().text, std::string(200, 'x'));
  for (int i = 0; i < 1500; ++i) {
    server(session, {{"type", "response.function_call_arguments.done"},
                     {"response_id", "r"},
                     {"output_index", i},
                     {"call_id", "c" + std::to_string(i)},
                     {"arguments", "{}"}});
  }
  ASSERT_EQ(session.response().toolCalls.size(), 1024u);
  EXPECT_EQ(session.response().toolCalls[0].id, "c0");
  EXPECT_EQ(session.response().toolCalls[1023].id, "c1023");
  EXPECT_EQ(session.counts().serverEvents, 1700u);
}

TEST(RealtimeSession, MovedSessionKeepsAssembling) {
  RealtimeSession first(openAiRealtime());
  server(first, {{"type", "response.output_text.delta"}, {"response_id", "r"}, {"delta", "one "}});
  RealtimeSession moved(std::move(first));
  server(moved, {{"type", "response.output_text.delta"}, {"response_id", "r"}, {"delta", "two"}});
  EXPECT_EQ(moved.response().text, "one two");
  EXPECT_EQ(moved.counts().serverEvents, 2u);
}

}  // namespace
}  // namespace warden::providers
