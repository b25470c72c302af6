// Ollama's native /api/chat and /api/generate requests read into the
// conversation model.
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

Result<Request> parse(std::string_view body, const Route& route = kChat, ParseLimits limits = {}) {
  return ollamaAdapter().parseRequest(route, body, limits);
}

std::string errorOf(std::string_view body, const Route& route = kChat) {
  auto request = parse(body, route);
  return request.ok() ? "(parsed)" : request.error().message;
}

void expectImage(const Part& part, uint64_t bytes) {
  EXPECT_EQ(part.kind, Part::Kind::Image);
  EXPECT_EQ(part.bytes, bytes);
  EXPECT_EQ(part.mediaType, "");  // Ollama does not say
  EXPECT_EQ(part.reference, "");
  EXPECT_EQ(part.text.pointer, "");
}

TEST(OllamaRequest, ReadsEveryFieldOfAChatRequest) {
  const std::string body = fixture("chat_request.json");
  auto parsed = parse(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Request& request = *parsed;

  EXPECT_EQ(request.provider, Provider::Ollama);
  EXPECT_EQ(request.operation, Operation::OllamaChat);
  EXPECT_EQ(request.model, "llama3.2");
  EXPECT_TRUE(request.stream);  // Ollama's default
  EXPECT_EQ(request.maxOutputTokens, 128u);
  EXPECT_EQ(request.temperature, 0.2);
  EXPECT_TRUE(request.inputs.empty());
  ASSERT_EQ(request.messages.size(), 4u);

  EXPECT_EQ(request.messages[0].role, Role::System);
  ASSERT_EQ(request.messages[0].parts.size(), 1u);
  expectText(request.messages[0].parts[0], "You are terse.", "/messages/0/content");

  const Message& user = request.messages[1];
  EXPECT_EQ(user.role, Role::User);
  ASSERT_EQ(user.parts.size(), 3u);
  expectText(user.parts[0], "What is in this image? And the weather in Toronto?", "/messages/1/content");
  expectImage(user.parts[1], 8);
  expectImage(user.parts[2], 10);

  const Message& assistant = request.messages[2];
  EXPECT_EQ(assistant.role, Role::Assistant);
  ASSERT_EQ(assistant.parts.size(), 2u);
  expectText(assistant.parts[0], "", "/messages/2/content");
  expectText(assistant.parts[1], "Call the weather tool.", "/messages/2/thinking", Part::Kind::Other);
  ASSERT_EQ(assistant.toolCalls.size(), 1u);
  EXPECT_EQ(assistant.toolCalls[0].id, "");
  EXPECT_EQ(assistant.toolCalls[0].name, "get_current_weather");
  EXPECT_EQ(assistant.toolCalls[0].arguments.text, R"({"city":"Toronto"})");
  EXPECT_EQ(assistant.toolCalls[0].arguments.pointer, "/messages/2/tool_calls/0/function/arguments");

  const Message& tool = request.messages[3];
  EXPECT_EQ(tool.role, Role::Tool);
  EXPECT_EQ(tool.name, "get_current_weather");
  EXPECT_EQ(tool.toolCallId, "");
  ASSERT_EQ(tool.parts.size(), 1u);
  expectText(tool.parts[0], "11 degrees celsius", "/messages/3/content");

  ASSERT_EQ(request.tools.size(), 1u);
  EXPECT_EQ(request.tools[0].name, "get_current_weather");
  EXPECT_EQ(request.tools[0].type, "function");
  EXPECT_EQ(request.tools[0].description.text, "Get the current weather for a city");
  EXPECT_EQ(request.tools[0].description.pointer, "/tools/0/function/description");

  expectPointersResolve(body, request);
}

TEST(OllamaRequest, ReadsEveryFieldOfAGenerateRequest) {
  const std::string body = fixture("generate_request.json");
  auto parsed = parse(body, kGenerate);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Request& request = *parsed;

  EXPECT_EQ(request.provider, Provider::Ollama);
  EXPECT_EQ(request.operation, Operation::OllamaGenerate);
  EXPECT_EQ(request.model, "llava");
  EXPECT_FALSE(request.stream);
  EXPECT_FALSE(request.maxOutputTokens);  // -1: no limit
  EXPECT_EQ(request.temperature, 0.0);
  EXPECT_TRUE(request.tools.empty());
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, Role::System);
  ASSERT_EQ(request.messages[0].parts.size(), 1u);
  expectText(request.messages[0].parts[0], "Describe precisely.", "/system");
  EXPECT_EQ(request.messages[1].role, Role::User);
  ASSERT_EQ(request.messages[1].parts.size(), 3u);
  expectText(request.messages[1].parts[0], "What is in this picture?", "/prompt");
  expectText(request.messages[1].parts[1], "    return result", "/suffix");
  expectImage(request.messages[1].parts[2], 8);
  expectPointersResolve(body, request);
}

TEST(OllamaRequest, ARequestWithoutMessagesOnlyLoadsTheModel) {
  auto chat = parse(R"({"model":"llama3.2"})");
  ASSERT_TRUE(chat.ok()) << chat.error().message;
  EXPECT_TRUE(chat->messages.empty());
  EXPECT_TRUE(chat->stream);
  auto generate = parse(R"({"model":"llama3.2","keep_alive":0})", kGenerate);
  ASSERT_TRUE(generate.ok()) << generate.error().message;
  EXPECT_TRUE(generate->messages.empty());
}

TEST(OllamaRequest, ToolCallIdsAndNamesWhenGiven) {
  auto request = parse(R"({"messages":[
      {"role":"assistant","tool_calls":[{"id":"call_1","function":{"name":"f"}}]},
      {"role":"tool","content":"ok","tool_call_id":"call_1","name":"f"},
      {"role":"critic","content":"?"}]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 3u);
  EXPECT_EQ(request->messages[0].toolCalls.at(0).id, "call_1");
  EXPECT_EQ(request->messages[0].toolCalls.at(0).arguments.text, "{}");
  EXPECT_EQ(request->messages[0].toolCalls.at(0).arguments.pointer, "");
  EXPECT_EQ(request->messages[1].toolCallId, "call_1");
  EXPECT_EQ(request->messages[1].name, "f");
  EXPECT_EQ(request->messages[2].role, Role::Unknown);
}

TEST(OllamaRequest, WrongTypesAreNamedTheWayDevelopersWriteThem) {
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":"a"},{"role":"user","content":["b"]}]})"),
            "messages[1].content: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":{}})"), "messages: expected an array of messages");
  EXPECT_EQ(errorOf(R"({"messages":[null]})"), "messages[0]: expected an object with role and content");
  EXPECT_EQ(errorOf(R"({"messages":[{"content":"x"}]})"), "messages[0].role: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","images":"abc"}]})"),
            "messages[0].images: expected an array of base64 strings");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","images":["a",1]}]})"),
            "messages[0].images[1]: expected a base64 string");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","tool_calls":{}}]})"),
            "messages[0].tool_calls: expected an array of tool calls");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","tool_calls":[{"name":"f"}]}]})"),
            "messages[0].tool_calls[0].function: expected an object with name and arguments");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]})"),
            "messages[0].tool_calls[0].function.arguments: expected an object");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","tool_calls":[{"function":{}}]}]})"),
            "messages[0].tool_calls[0].function.name: expected a string");
  EXPECT_EQ(errorOf(R"({"tools":[{"type":"function"}]})"),
            "tools[0].function: expected an object with name and description");
  EXPECT_EQ(errorOf(R"({"tools":[{"function":{"name":"f","description":3}}]})"),
            "tools[0].function.description: expected a string");
  EXPECT_EQ(errorOf(R"({"tools":"all"})"), "tools: expected an array of tools");
  EXPECT_EQ(errorOf(R"({"stream":"false"})"), "stream: expected true or false");
  EXPECT_EQ(errorOf(R"({"model":["a"]})"), "model: expected a string");
  EXPECT_EQ(errorOf(R"({"options":[]})"), "options: expected an object");
  EXPECT_EQ(errorOf(R"({"options":{"temperature":"0.1"}})"), "options.temperature: expected a number");
  EXPECT_EQ(errorOf(R"({"options":{"num_predict":1.5}})"), "options.num_predict: expected an integer");
  EXPECT_EQ(errorOf(R"({"prompt":5})", kGenerate), "prompt: expected a string");
  EXPECT_EQ(errorOf(R"({"system":{}})", kGenerate), "system: expected a string");
  EXPECT_EQ(errorOf(R"({"images":[{}]})", kGenerate), "images[0]: expected a base64 string");
  EXPECT_EQ(errorOf("[]"), "request body: expected a JSON object");
}

TEST(OllamaRequest, MalformedDeepAndInvalidUtf8BodiesAreErrors) {
  for (const std::string_view body : {"", "{", R"({"messages":[})", "{}}"}) {
    EXPECT_TRUE(errorOf(body).starts_with("request body: malformed JSON")) << body;
  }
  std::string deepObjects;
  for (int i = 0; i < 10000; ++i) deepObjects += "{\"a\":";
  deepObjects += "1" + std::string(10000, '}');
  EXPECT_NE(errorOf(deepObjects).find("nested deeper than 64 levels"), std::string::npos);
  // Left open, the same is refused as malformed before any depth is reached.
  EXPECT_TRUE(errorOf(deepObjects.substr(0, 50000)).starts_with("request body: malformed JSON"));
  EXPECT_NE(errorOf(std::string(10000, '[') + std::string(10000, ']')).find("nested deeper than 64 levels"),
            std::string::npos);
  EXPECT_TRUE(errorOf("{\"prompt\":\"\xf8\x88\x80\x80\x80\"}", kGenerate).starts_with("request body: malformed JSON"));
}

TEST(OllamaRequest, EveryTruncationIsAnError) {
  for (const auto& [name, route] :
       {std::pair{"chat_request.json", kChat}, std::pair{"generate_request.json", kGenerate}}) {
    const std::string body = fixture(name);
    const size_t end = body.rfind('}');
    for (size_t cut = 0; cut <= end; ++cut) {
      EXPECT_FALSE(parse(std::string_view(body).substr(0, cut), route).ok()) << name << " " << cut;
    }
    EXPECT_TRUE(parse(std::string_view(body).substr(0, end + 1), route).ok());
  }
}

// Random damage: whatever is read is consistent, nothing crashes or throws.
TEST(OllamaRequest, SurvivesCorruptedBodies) {
  for (const auto& [name, route] :
       {std::pair{"chat_request.json", kChat}, std::pair{"generate_request.json", kGenerate}}) {
    const std::string body = fixture(name);
    std::mt19937 random(99);
    const std::string junk = "{}[]\",:0\\ \xff\x80tfn-e.";
    for (int round = 0; round < 2000; ++round) {
      std::string damaged = body;
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < edits; ++i) damaged[random() % damaged.size()] = junk[random() % junk.size()];
      auto request = parse(damaged, route);
      if (request.ok()) expectPointersResolve(damaged, *request);
    }
  }
}

// Any host serving Ollama's paths (a local model server) is read by this adapter.
TEST(OllamaRequest, OllamaPathsLeadHereOnAnyHost) {
  const Route chat = route("127.0.0.1:11434", "POST", "/api/chat");
  ASSERT_EQ(adapterFor(chat), &ollamaAdapter());
  auto request = adapterFor(chat)->parseRequest(chat, R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->operation, Operation::OllamaChat);
  EXPECT_EQ(request->provider, Provider::Ollama);

  const Route generate = route("localhost", "POST", "/api/generate");
  ASSERT_EQ(adapterFor(generate), &ollamaAdapter());
  request = adapterFor(generate)->parseRequest(generate, R"({"model":"m","prompt":"hi"})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->operation, Operation::OllamaGenerate);
}

}  // namespace
}  // namespace warden::providers
