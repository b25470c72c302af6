#include <gtest/gtest.h>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::openAiFixture;
using testing::parseOpenAi;

TEST(OpenAiChatRequest, ReadsEveryMessageShape) {
  auto parsed = parseOpenAi(Operation::ChatCompletions, openAiFixture("chat_request.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Request& r = *parsed;
  EXPECT_EQ(r.provider, Provider::OpenAI);
  EXPECT_EQ(r.operation, Operation::ChatCompletions);
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_TRUE(r.stream);
  ASSERT_TRUE(r.temperature);
  EXPECT_DOUBLE_EQ(*r.temperature, 0.2);
  EXPECT_EQ(r.maxOutputTokens, 512u);
  EXPECT_TRUE(r.inputs.empty());
  ASSERT_EQ(r.messages.size(), 7u);

  const Message& system = r.messages[0];
  EXPECT_EQ(system.role, Role::System);
  ASSERT_EQ(system.parts.size(), 1u);
  EXPECT_EQ(system.parts[0].kind, Part::Kind::Text);
  EXPECT_EQ(system.parts[0].text.text, "You are a weather assistant.");
  EXPECT_EQ(system.parts[0].text.pointer, "/messages/0/content");

  const Message& developer = r.messages[1];
  EXPECT_EQ(developer.role, Role::Developer);
  ASSERT_EQ(developer.parts.size(), 1u);
  EXPECT_EQ(developer.parts[0].text.text, "Answer in metric units.");
  EXPECT_EQ(developer.parts[0].text.pointer, "/messages/1/content/0/text");

  const Message& user = r.messages[2];
  EXPECT_EQ(user.role, Role::User);
  EXPECT_EQ(user.name, "alice");
  ASSERT_EQ(user.parts.size(), 6u);
  EXPECT_EQ(user.parts[0].kind, Part::Kind::Text);
  EXPECT_EQ(user.parts[0].text.text, "What is the weather where this photo was taken?");
  EXPECT_EQ(user.parts[0].text.pointer, "/messages/2/content/0/text");
  EXPECT_EQ(user.parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[1].mediaType, "image/png");
  EXPECT_EQ(user.parts[1].bytes, 8u);  // the PNG signature
  EXPECT_EQ(user.parts[1].reference, "");
  EXPECT_EQ(user.parts[2].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[2].reference, "https://example.com/street.jpg");
  EXPECT_EQ(user.parts[2].bytes, 0u);
  EXPECT_EQ(user.parts[2].mediaType, "");
  EXPECT_EQ(user.parts[3].kind, Part::Kind::Audio);
  EXPECT_EQ(user.parts[3].mediaType, "audio/wav");
  EXPECT_EQ(user.parts[3].bytes, 12u);
  EXPECT_EQ(user.parts[4].kind, Part::Kind::File);
  EXPECT_EQ(user.parts[4].mediaType, "application/pdf");
  EXPECT_EQ(user.parts[4].bytes, 9u);  // "%PDF-1.4\n"
  EXPECT_EQ(user.parts[5].kind, Part::Kind::File);
  EXPECT_EQ(user.parts[5].reference, "file-abc123");
  EXPECT_EQ(user.parts[5].bytes, 0u);
  for (size_t i = 1; i < user.parts.size(); ++i) EXPECT_EQ(user.parts[i].text.pointer, "") << i;

  const Message& assistant = r.messages[3];
  EXPECT_EQ(assistant.role, Role::Assistant);
  EXPECT_TRUE(assistant.parts.empty());
  ASSERT_EQ(assistant.toolCalls.size(), 1u);
  EXPECT_EQ(assistant.toolCalls[0].id, "call_1");
  EXPECT_EQ(assistant.toolCalls[0].name, "get_weather");
  EXPECT_EQ(assistant.toolCalls[0].arguments.text, R"({"city":"Paris"})");
  EXPECT_EQ(assistant.toolCalls[0].arguments.pointer, "/messages/3/tool_calls/0/function/arguments");

  const Message& tool = r.messages[4];
  EXPECT_EQ(tool.role, Role::Tool);
  EXPECT_EQ(tool.toolCallId, "call_1");
  ASSERT_EQ(tool.parts.size(), 1u);
  EXPECT_EQ(tool.parts[0].text.text, R"({"temp_c":18})");
  EXPECT_EQ(tool.parts[0].text.pointer, "/messages/4/content");

  const Message& function = r.messages[5];
  EXPECT_EQ(function.role, Role::Tool);
  EXPECT_EQ(function.name, "get_time");
  ASSERT_EQ(function.parts.size(), 1u);
  EXPECT_EQ(function.parts[0].text.text, "14:00");

  const Message& legacyCall = r.messages[6];
  EXPECT_EQ(legacyCall.role, Role::Assistant);
  ASSERT_EQ(legacyCall.toolCalls.size(), 1u);
  EXPECT_EQ(legacyCall.toolCalls[0].id, "");
  EXPECT_EQ(legacyCall.toolCalls[0].name, "get_time");
  EXPECT_EQ(legacyCall.toolCalls[0].arguments.text, "{}");
  EXPECT_EQ(legacyCall.toolCalls[0].arguments.pointer, "/messages/6/function_call/arguments");

  ASSERT_EQ(r.tools.size(), 3u);
  EXPECT_EQ(r.tools[0].type, "function");
  EXPECT_EQ(r.tools[0].name, "get_weather");
  EXPECT_EQ(r.tools[0].description.text, "Current weather for a city");
  EXPECT_EQ(r.tools[0].description.pointer, "/tools/0/function/description");
  EXPECT_EQ(r.tools[1].type, "custom");
  EXPECT_EQ(r.tools[1].name, "run_sql");
  EXPECT_EQ(r.tools[1].description.text, "Runs one SQL query");
  EXPECT_EQ(r.tools[1].description.pointer, "/tools/1/custom/description");
  EXPECT_EQ(r.tools[2].type, "function");
  EXPECT_EQ(r.tools[2].name, "get_time");
  EXPECT_EQ(r.tools[2].description.text, "Local time");
  EXPECT_EQ(r.tools[2].description.pointer, "/functions/0/description");
}

TEST(OpenAiChatRequest, MinimalRequestDefaults) {
  auto parsed = parseOpenAi(Operation::ChatCompletions, R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->stream);
  EXPECT_FALSE(parsed->temperature);
  EXPECT_FALSE(parsed->maxOutputTokens);
  EXPECT_TRUE(parsed->tools.empty());
  ASSERT_EQ(parsed->messages.size(), 1u);
  EXPECT_EQ(parsed->messages[0].parts[0].text.pointer, "/messages/0/content");
}

TEST(OpenAiChatRequest, LegacyMaxTokensAndNullFields) {
  auto parsed = parseOpenAi(Operation::ChatCompletions,
                            R"({"model":"m","max_tokens":64,"temperature":null,"stream":null,"tools":null,)"
                            R"("messages":[{"role":"assistant","content":null,"tool_calls":null,"refusal":"no"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->maxOutputTokens, 64u);
  EXPECT_FALSE(parsed->temperature);
  EXPECT_FALSE(parsed->stream);
  ASSERT_EQ(parsed->messages[0].parts.size(), 1u);
  EXPECT_EQ(parsed->messages[0].parts[0].text.text, "no");
  EXPECT_EQ(parsed->messages[0].parts[0].text.pointer, "/messages/0/refusal");
}

TEST(OpenAiChatRequest, RefusalPartsOfEarlierTurnsAreText) {
  auto parsed =
      parseOpenAi(Operation::ChatCompletions, R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},)"
                                              R"({"type":"refusal","refusal":"b"}]}]})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messages[0].parts[1].text.pointer, "/messages/0/content/1/refusal");
}

TEST(OpenAiChatRequest, UnknownRolesAndPartTypesAreKeptNotDropped) {
  auto parsed = parseOpenAi(Operation::ChatCompletions,
                            R"({"messages":[{"role":"narrator","content":[{"type":"video_url","video_url":{}},)"
                            R"({"type":"text","text":"still read"}]}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->messages[0].role, Role::Unknown);
  ASSERT_EQ(parsed->messages[0].parts.size(), 2u);
  EXPECT_EQ(parsed->messages[0].parts[0].kind, Part::Kind::Other);
  EXPECT_EQ(parsed->messages[0].parts[1].text.text, "still read");
}

TEST(OpenAiChatRequest, AzureDeploymentSuppliesTheModel) {
  Route azure;
  azure.provider = Provider::AzureOpenAI;
  azure.operation = Operation::ChatCompletions;
  azure.modelFromPath = "prod-gpt4o";
  auto parsed = openAiAdapter().parseRequest(azure, R"({"messages":[]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->provider, Provider::AzureOpenAI);
  EXPECT_EQ(parsed->model, "prod-gpt4o");
  // A body model cannot disguise the deployment that will run.
  auto named = openAiAdapter().parseRequest(azure, R"({"model":"gpt-4o-mini","messages":[]})");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->model, "prod-gpt4o");
  EXPECT_FALSE(openAiAdapter().parseRequest(azure, R"({"model":1,"messages":[]})"));
}

struct BadChat {
  const char* body;
  const char* error;
};

class OpenAiChatRequestErrors : public ::testing::TestWithParam<BadChat> {};

TEST_P(OpenAiChatRequestErrors, NameWhatIsWrong) {
  auto parsed = parseOpenAi(Operation::ChatCompletions, GetParam().body);
  ASSERT_FALSE(parsed) << GetParam().body;
  EXPECT_EQ(parsed.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, OpenAiChatRequestErrors,
    ::testing::Values(
        BadChat{R"([])", "request body: expected a JSON object"},
        BadChat{R"("hello")", "request body: expected a JSON object"},
        BadChat{R"({})", "messages: expected an array of messages"},
        BadChat{R"({"messages":{}})", "messages: expected an array of messages"},
        BadChat{R"({"messages":["hi"]})", "messages[0]: expected a message object"},
        BadChat{R"({"messages":[{"content":"hi"}]})", "messages[0].role: expected a string (it is required)"},
        BadChat{R"({"messages":[{"role":1,"content":"hi"}]})", "messages[0].role: expected a string"},
        BadChat{R"({"messages":[{"role":"user","content":"a"},{"role":"user","content":5}]})",
                "messages[1].content: expected a string or an array of parts"},
        BadChat{R"({"messages":[{"role":"user","content":{"type":"text"}}]})",
                "messages[0].content: expected a string or an array of parts"},
        BadChat{R"({"messages":[{"role":"user","content":["hi"]}]})",
                "messages[0].content[0]: expected a content part object"},
        BadChat{R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})",
                "messages[0].content[0].type: expected a string (it is required)"},
        BadChat{R"({"messages":[{"role":"user","content":[{"type":"text","text":7}]}]})",
                "messages[0].content[0].text: expected a string"},
        BadChat{R"({"messages":[{"role":"user","content":[{"type":"image_url"}]}]})",
                "messages[0].content[0].image_url: expected an object (it is required)"},
        BadChat{R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":1}}]}]})",
                "messages[0].content[0].image_url.url: expected a string"},
        BadChat{R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"format":"wav"}}]}]})",
                "messages[0].content[0].input_audio.data: expected a string (it is required)"},
        BadChat{R"({"messages":[{"role":"user","content":[{"type":"file","file":"x"}]}]})",
                "messages[0].content[0].file: expected an object"},
        BadChat{R"({"messages":[{"role":"assistant","tool_calls":{}}]})", "messages[0].tool_calls: expected an array"},
        BadChat{R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}]})",
                "messages[0].tool_calls[0].function.name: expected a string (it is required)"},
        BadChat{R"({"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{}}}]}]})",
                "messages[0].tool_calls[0].function.arguments: expected a string"},
        BadChat{R"({"messages":[{"role":"tool","tool_call_id":3,"content":"x"}]})",
                "messages[0].tool_call_id: expected a string"},
        BadChat{R"({"messages":[],"tools":[{"type":"function"}]})",
                "tools[0].function: expected an object (it is required)"},
        BadChat{R"({"messages":[],"tools":[{"type":"function","function":{"name":"f","description":[]}}]})",
                "tools[0].function.description: expected a string"},
        BadChat{R"({"messages":[],"functions":[{"description":"d"}]})",
                "functions[0].name: expected a string (it is required)"},
        BadChat{R"({"messages":[],"model":42})", "model: expected a string"},
        BadChat{R"({"messages":[],"stream":"yes"})", "stream: expected true or false"},
        BadChat{R"({"messages":[],"temperature":"hot"})", "temperature: expected a number"},
        BadChat{R"({"messages":[],"max_tokens":-1})", "max_tokens: expected a non-negative integer"},
        BadChat{R"({"messages":[],"max_completion_tokens":1.5})",
                "max_completion_tokens: expected a non-negative integer"}));

}  // namespace
}  // namespace warden::providers
