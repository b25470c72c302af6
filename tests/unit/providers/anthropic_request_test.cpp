// The Anthropic Messages request read into the conversation model: every
// field, the pointer of every text, and clear errors on bad input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "provider_test_support.h"

namespace warden::providers {
namespace {

using namespace testing;  // the shared helpers in provider_test_support.h

std::string fixture(const std::string& name) { return testing::readFixture("anthropic", name); }

const Route kRoute{.provider = Provider::Anthropic, .operation = Operation::Messages};

Result<Request> parse(std::string_view body, ParseLimits limits = {}) {
  return anthropicAdapter().parseRequest(kRoute, body, limits);
}

std::string errorOf(std::string_view body) {
  auto request = parse(body);
  return request.ok() ? "(parsed)" : request.error().message;
}

TEST(AnthropicRequest, ReadsEveryFieldOfAFullRequest) {
  const std::string body = fixture("request_full.json");
  auto parsed = parse(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Request& request = *parsed;

  EXPECT_EQ(request.provider, Provider::Anthropic);
  EXPECT_EQ(request.operation, Operation::Messages);
  EXPECT_EQ(request.model, "claude-sonnet-4-5");
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.maxOutputTokens, 1024u);
  EXPECT_EQ(request.temperature, 0.5);
  EXPECT_TRUE(request.inputs.empty());
  ASSERT_EQ(request.messages.size(), 6u);

  const Message& system = request.messages[0];
  EXPECT_EQ(system.role, Role::System);
  ASSERT_EQ(system.parts.size(), 2u);
  expectText(system.parts[0], "You are a careful assistant.", "/system/0/text");
  expectText(system.parts[1], "Answer in English.", "/system/1/text");

  const Message& question = request.messages[1];
  EXPECT_EQ(question.role, Role::User);
  ASSERT_EQ(question.parts.size(), 1u);
  expectText(question.parts[0], "What is the weather in Paris?", "/messages/0/content");
  EXPECT_TRUE(question.toolCalls.empty());

  const Message& assistant = request.messages[2];
  EXPECT_EQ(assistant.role, Role::Assistant);
  ASSERT_EQ(assistant.parts.size(), 3u);
  expectText(assistant.parts[0], "The user wants the weather; call the tool.", "/messages/1/content/0/thinking",
             Part::Kind::Other);
  expectData(assistant.parts[1], Part::Kind::Other, "", 0, "");  // redacted thinking: nothing readable
  expectText(assistant.parts[2], "Let me check.", "/messages/1/content/2/text");
  ASSERT_EQ(assistant.toolCalls.size(), 1u);
  EXPECT_EQ(assistant.toolCalls[0].id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(assistant.toolCalls[0].name, "get_weather");
  EXPECT_EQ(Json::parse(assistant.toolCalls[0].arguments.text),
            Json::parse(R"({"location": "Paris, France", "unit": "celsius"})"));
  EXPECT_EQ(assistant.toolCalls[0].arguments.pointer, "/messages/1/content/3/input");

  const Message& firstResult = request.messages[3];
  EXPECT_EQ(firstResult.role, Role::Tool);
  EXPECT_EQ(firstResult.toolCallId, "toolu_01A09q90qw90lq917835lq9");
  ASSERT_EQ(firstResult.parts.size(), 1u);
  expectText(firstResult.parts[0], "15 degrees, light rain", "/messages/2/content/0/content");

  const Message& secondResult = request.messages[4];
  EXPECT_EQ(secondResult.role, Role::Tool);
  EXPECT_EQ(secondResult.toolCallId, "toolu_02");
  ASSERT_EQ(secondResult.parts.size(), 2u);
  expectText(secondResult.parts[0], "Humidity 80%", "/messages/2/content/1/content/0/text");
  expectData(secondResult.parts[1], Part::Kind::Image, "image/jpeg", 10, "");

  const Message& user = request.messages[5];
  EXPECT_EQ(user.role, Role::User);
  EXPECT_TRUE(user.toolCalls.empty());
  ASSERT_EQ(user.parts.size(), 12u);
  expectText(user.parts[0], "Describe this image and summarise the documents.", "/messages/2/content/2/text");
  expectData(user.parts[1], Part::Kind::Image, "image/png", 8, "");
  expectData(user.parts[2], Part::Kind::Image, "", 0, "https://example.com/cat.jpg");
  expectText(user.parts[3], "The grass is green.", "/messages/2/content/5/source/data", Part::Kind::Text, "text/plain");
  expectText(user.parts[4], "Lawn notes", "/messages/2/content/5/title");
  expectText(user.parts[5], "Written in spring", "/messages/2/content/5/context");
  expectData(user.parts[6], Part::Kind::File, "application/pdf", 9, "");
  expectData(user.parts[7], Part::Kind::File, "", 0, "file_011CNha8iCJcU1wXNR6q4V8w");
  expectText(user.parts[8], "First chunk.", "/messages/2/content/8/source/content/0/text");
  expectData(user.parts[9], Part::Kind::File, "", 0, "https://example.com/article");
  expectText(user.parts[10], "An article", "/messages/2/content/9/title");
  expectText(user.parts[11], "Search snippet.", "/messages/2/content/9/content/0/text");

  ASSERT_EQ(request.tools.size(), 3u);
  EXPECT_EQ(request.tools[0].name, "get_weather");
  EXPECT_EQ(request.tools[0].type, "function");
  EXPECT_EQ(request.tools[0].description.text, "Get the current weather in a given location");
  EXPECT_EQ(request.tools[0].description.pointer, "/tools/0/description");
  EXPECT_EQ(request.tools[1].name, "get_time");
  EXPECT_EQ(request.tools[1].type, "function");
  EXPECT_EQ(request.tools[1].description.pointer, "");
  EXPECT_EQ(request.tools[2].name, "web_search");
  EXPECT_EQ(request.tools[2].type, "web_search_20250305");

  expectPointersResolve(body, request);
}

TEST(AnthropicRequest, DefaultsWhenOptionalFieldsAreAbsentOrNull) {
  auto request = parse(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"system":null,"temperature":null})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_FALSE(request->stream);
  EXPECT_FALSE(request->maxOutputTokens);
  EXPECT_FALSE(request->temperature);
  ASSERT_EQ(request->messages.size(), 1u);
  EXPECT_EQ(request->messages[0].role, Role::User);
  EXPECT_TRUE(request->tools.empty());
}

TEST(AnthropicRequest, SystemAsAString) {
  auto request = parse(R"({"system":"Be brief.","messages":[]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 1u);
  EXPECT_EQ(request->messages[0].role, Role::System);
  ASSERT_EQ(request->messages[0].parts.size(), 1u);
  expectText(request->messages[0].parts[0], "Be brief.", "/system");
}

TEST(AnthropicRequest, ToolResultsKeepTheirPlaceAmongOtherBlocks) {
  const std::string body = R"({"messages":[{"role":"user","content":[
      {"type":"text","text":"before"},
      {"type":"tool_result","tool_use_id":"a"},
      {"type":"text","text":"after"}]}]})";
  auto request = parse(body);
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 3u);
  EXPECT_EQ(request->messages[0].role, Role::User);
  expectText(request->messages[0].parts.at(0), "before", "/messages/0/content/0/text");
  EXPECT_EQ(request->messages[1].role, Role::Tool);
  EXPECT_EQ(request->messages[1].toolCallId, "a");
  EXPECT_TRUE(request->messages[1].parts.empty());
  EXPECT_EQ(request->messages[2].role, Role::User);
  expectText(request->messages[2].parts.at(0), "after", "/messages/0/content/2/text");
}

TEST(AnthropicRequest, EscapesKeysInPointersAndToolCallsWithoutInput) {
  const std::string body = R"({"messages":[{"role":"assistant","content":[
      {"type":"tool_use","id":"t","name":"noop"}]}],
      "tools":[{"name":"a/b~c","description":"d"}]})";
  auto request = parse(body);
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.at(0).toolCalls.size(), 1u);
  EXPECT_EQ(request->messages[0].toolCalls[0].arguments.text, "{}");
  EXPECT_EQ(request->messages[0].toolCalls[0].arguments.pointer, "");
  EXPECT_EQ(request->tools.at(0).name, "a/b~c");
}

TEST(AnthropicRequest, WrongTypesAreNamedTheWayDevelopersWriteThem) {
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":5}]})"),
            "messages[1].content: expected a string or an array of blocks");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user"}]})"),
            "messages[0].content: expected a string or an array of blocks");
  EXPECT_EQ(errorOf(R"({"messages":{}})"), "messages: expected an array of messages");
  EXPECT_EQ(errorOf(R"({"model":"m"})"), "messages: expected an array of messages");
  EXPECT_EQ(errorOf(R"({"messages":[7]})"), "messages[0]: expected an object with role and content");
  EXPECT_EQ(errorOf(R"({"messages":[{"content":"x"}]})"), R"(messages[0].role: expected "user" or "assistant")");
  EXPECT_EQ(errorOf(R"({"model":5,"messages":[]})"), "model: expected a string");
  EXPECT_EQ(errorOf(R"({"max_tokens":-1,"messages":[]})"), "max_tokens: expected a non-negative integer");
  EXPECT_EQ(errorOf(R"({"max_tokens":"10","messages":[]})"), "max_tokens: expected a non-negative integer");
  EXPECT_EQ(errorOf(R"({"max_tokens":1.5,"messages":[]})"), "max_tokens: expected a non-negative integer");
  EXPECT_EQ(errorOf(R"({"temperature":"hot","messages":[]})"), "temperature: expected a number");
  EXPECT_EQ(errorOf(R"({"stream":"yes","messages":[]})"), "stream: expected true or false");
  EXPECT_EQ(errorOf(R"({"system":5,"messages":[]})"), "system: expected a string or an array of text blocks");
  EXPECT_EQ(errorOf(R"({"system":[{"type":"text","text":1}],"messages":[]})"), "system[0].text: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":[{"text":"x"}]}]})"),
            "messages[0].content[0].type: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":["x"]}]})"),
            "messages[0].content[0]: expected a content block object");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":[{"type":"image"}]}]})"),
            "messages[0].content[0].source: expected a source object");
  EXPECT_EQ(
      errorOf(R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":3}}]}]})"),
      "messages[0].content[0].source.data: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":[1]}]}]})"),
            "messages[0].content[0].input: expected an object");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"assistant","content":[{"type":"tool_use","input":{}}]}]})"),
            "messages[0].content[0].name: expected a string");
  EXPECT_EQ(
      errorOf(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":5}]}]})"),
      "messages[0].content[0].content: expected a string or an array of blocks");
  EXPECT_EQ(errorOf(R"({"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]})"),
            "messages[0].content[0].tool_use_id: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[],"tools":{}})"), "tools: expected an array of tools");
  EXPECT_EQ(errorOf(R"({"messages":[],"tools":[{"description":"x"}]})"), "tools[0].name: expected a string");
  EXPECT_EQ(errorOf(R"({"messages":[],"tools":[{"name":"x","description":false}]})"),
            "tools[0].description: expected a string");
  EXPECT_EQ(errorOf("[]"), "request body: expected a JSON object");
  EXPECT_EQ(errorOf("\"text\""), "request body: expected a JSON object");
}

TEST(AnthropicRequest, MalformedJsonIsAnErrorNotACrash) {
  for (const std::string_view body : {"", "{", "{\"messages\":[}", "{\"messages\":[]} trailing", "nul"}) {
    const std::string error = errorOf(body);
    EXPECT_TRUE(error.starts_with("request body: malformed JSON")) << body << " -> " << error;
  }
}

TEST(AnthropicRequest, DeepNestingIsRefusedBeforeItIsBuilt) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_NE(errorOf(deep).find("nested deeper than 64 levels"), std::string::npos);
  const std::string deepInside = R"({"messages":[{"role":"user","content":[{"type":"tool_use","name":"f","input":)" +
                                 std::string(10000, '[') + std::string(10000, ']') + "}]}]}";
  EXPECT_NE(errorOf(deepInside).find("nested deeper than 64 levels"), std::string::npos);
  // The limit is the caller's to choose.
  const std::string shallow = R"({"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})";
  EXPECT_TRUE(parse(shallow).ok());
  EXPECT_FALSE(parse(shallow, ParseLimits{.maxDepth = 3}).ok());
}

TEST(AnthropicRequest, InvalidUtf8IsRefused) {
  const std::string body = "{\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\xfe byte\"}]}";
  EXPECT_TRUE(errorOf(body).starts_with("request body: malformed JSON"));
  const std::string overlong = "{\"messages\":[{\"role\":\"user\",\"content\":\"\xc0\xaf\"}]}";
  EXPECT_TRUE(errorOf(overlong).starts_with("request body: malformed JSON"));
}

TEST(AnthropicRequest, EveryTruncationIsAnError) {
  const std::string body = fixture("request_full.json");
  const size_t end = body.rfind('}');
  for (size_t cut = 0; cut <= end; ++cut) {
    EXPECT_FALSE(parse(std::string_view(body).substr(0, cut)).ok()) << cut;
  }
  EXPECT_TRUE(parse(std::string_view(body).substr(0, end + 1)).ok());
}

// Random damage: whatever is read is consistent, nothing crashes or throws.
TEST(AnthropicRequest, SurvivesCorruptedBodies) {
  const std::string body = fixture("request_full.json");
  std::mt19937 random(20240611);
  const std::string junk = "{}[]\",:0\\ \xff\x80tfn-e.";
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = body;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits; ++i) {
      damaged[random() % damaged.size()] = junk[random() % junk.size()];
    }
    auto request = parse(damaged);
    if (request.ok()) expectPointersResolve(damaged, *request);
  }
}

// The proxy finds this adapter by route, also behind a gateway host.
TEST(AnthropicRequest, TheMessagesRouteLeadsHere) {
  for (const std::string_view host : {"api.anthropic.com", "llm-gateway.internal"}) {
    const Route routed = route(host, "POST", "/v1/messages?beta=true");
    ASSERT_EQ(adapterFor(routed), &anthropicAdapter()) << host;
    auto request = adapterFor(routed)->parseRequest(routed, R"({"model":"m","messages":[]})");
    ASSERT_TRUE(request.ok()) << request.error().message;
    EXPECT_EQ(request->provider, Provider::Anthropic);
    EXPECT_EQ(request->operation, Operation::Messages);
  }
}

}  // namespace
}  // namespace warden::providers
