#include <gtest/gtest.h>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::openAiFixture;
using testing::parseOpenAi;

TEST(OpenAiResponsesRequest, ReadsInstructionsItemsAndTools) {
  auto parsed = parseOpenAi(Operation::Responses, openAiFixture("responses_request.json"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Request& r = *parsed;
  EXPECT_EQ(r.operation, Operation::Responses);
  EXPECT_EQ(r.model, "gpt-4.1");
  EXPECT_FALSE(r.stream);
  EXPECT_EQ(r.maxOutputTokens, 1024u);
  ASSERT_TRUE(r.temperature);
  EXPECT_DOUBLE_EQ(*r.temperature, 1.0);
  ASSERT_EQ(r.messages.size(), 9u);

  // Instructions come first, as the system turn.
  EXPECT_EQ(r.messages[0].role, Role::System);
  ASSERT_EQ(r.messages[0].parts.size(), 1u);
  EXPECT_EQ(r.messages[0].parts[0].text.text, "You are a careful travel agent.");
  EXPECT_EQ(r.messages[0].parts[0].text.pointer, "/instructions");

  // Then the stored prompt's variables.
  const Message& variables = r.messages[1];
  EXPECT_EQ(variables.role, Role::User);
  ASSERT_EQ(variables.parts.size(), 2u);
  EXPECT_EQ(variables.parts[0].text.text, "Lisbon");
  EXPECT_EQ(variables.parts[0].text.pointer, "/prompt/variables/city");
  EXPECT_EQ(variables.parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(variables.parts[1].reference, "https://example.com/lisbon.png");

  EXPECT_EQ(r.messages[2].role, Role::Developer);
  ASSERT_EQ(r.messages[2].parts.size(), 1u);
  EXPECT_EQ(r.messages[2].parts[0].text.text, "Prefer trains.");
  EXPECT_EQ(r.messages[2].parts[0].text.pointer, "/input/0/content");

  const Message& user = r.messages[3];
  EXPECT_EQ(user.role, Role::User);
  ASSERT_EQ(user.parts.size(), 5u);
  EXPECT_EQ(user.parts[0].kind, Part::Kind::Text);
  EXPECT_EQ(user.parts[0].text.text, "Plan a day trip from this map.");
  EXPECT_EQ(user.parts[0].text.pointer, "/input/1/content/0/text");
  EXPECT_EQ(user.parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[1].mediaType, "image/jpeg");
  EXPECT_EQ(user.parts[1].bytes, 10u);
  EXPECT_EQ(user.parts[2].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[2].reference, "file-img1");
  EXPECT_EQ(user.parts[3].kind, Part::Kind::File);
  EXPECT_EQ(user.parts[3].mediaType, "application/pdf");
  EXPECT_EQ(user.parts[3].bytes, 9u);
  EXPECT_EQ(user.parts[4].kind, Part::Kind::File);
  EXPECT_EQ(user.parts[4].reference, "https://example.com/rules.pdf");

  // The reasoning item (index 2) carries no client text and is skipped.
  const Message& earlier = r.messages[4];
  EXPECT_EQ(earlier.role, Role::Assistant);
  ASSERT_EQ(earlier.parts.size(), 1u);
  EXPECT_EQ(earlier.parts[0].text.text, "Checking trains.");
  EXPECT_EQ(earlier.parts[0].text.pointer, "/input/3/content/0/text");

  const Message& call = r.messages[5];
  EXPECT_EQ(call.role, Role::Assistant);
  ASSERT_EQ(call.toolCalls.size(), 1u);
  EXPECT_EQ(call.toolCalls[0].id, "call_trains");
  EXPECT_EQ(call.toolCalls[0].name, "find_trains");
  EXPECT_EQ(call.toolCalls[0].arguments.text, R"({"from":"Lisbon","to":"Sintra"})");
  EXPECT_EQ(call.toolCalls[0].arguments.pointer, "/input/4/arguments");

  const Message& output = r.messages[6];
  EXPECT_EQ(output.role, Role::Tool);
  EXPECT_EQ(output.toolCallId, "call_trains");
  ASSERT_EQ(output.parts.size(), 1u);
  EXPECT_EQ(output.parts[0].text.text, R"([{"dep":"09:11"}])");
  EXPECT_EQ(output.parts[0].text.pointer, "/input/5/output");

  const Message& customCall = r.messages[7];
  ASSERT_EQ(customCall.toolCalls.size(), 1u);
  EXPECT_EQ(customCall.toolCalls[0].id, "call_sql");
  EXPECT_EQ(customCall.toolCalls[0].name, "run_sql");
  EXPECT_EQ(customCall.toolCalls[0].arguments.text, "SELECT 1");
  EXPECT_EQ(customCall.toolCalls[0].arguments.pointer, "/input/6/input");

  const Message& customOutput = r.messages[8];
  EXPECT_EQ(customOutput.role, Role::Tool);
  EXPECT_EQ(customOutput.toolCallId, "call_sql");
  ASSERT_EQ(customOutput.parts.size(), 1u);
  EXPECT_EQ(customOutput.parts[0].text.text, "1 row");
  EXPECT_EQ(customOutput.parts[0].text.pointer, "/input/7/output/0/text");

  ASSERT_EQ(r.tools.size(), 5u);
  EXPECT_EQ(r.tools[0].type, "function");
  EXPECT_EQ(r.tools[0].name, "find_trains");
  EXPECT_EQ(r.tools[0].description.text, "Train timetable search");
  EXPECT_EQ(r.tools[0].description.pointer, "/tools/0/description");
  EXPECT_EQ(r.tools[1].type, "web_search_preview");
  EXPECT_EQ(r.tools[1].name, "");
  EXPECT_EQ(r.tools[1].description.pointer, "");
  EXPECT_EQ(r.tools[2].type, "file_search");
  EXPECT_EQ(r.tools[3].type, "mcp");
  EXPECT_EQ(r.tools[3].name, "maps");
  EXPECT_EQ(r.tools[3].description.text, "Map lookups");
  EXPECT_EQ(r.tools[3].description.pointer, "/tools/3/server_description");
  EXPECT_EQ(r.tools[4].type, "custom");
  EXPECT_EQ(r.tools[4].name, "run_sql");
  EXPECT_EQ(r.tools[4].description.pointer, "/tools/4/description");
}

TEST(OpenAiResponsesRequest, InputStringIsOneUserTurn) {
  auto parsed = parseOpenAi(Operation::Responses, R"({"model":"o3","input":"Tell me a joke","stream":true})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->stream);
  ASSERT_EQ(parsed->messages.size(), 1u);
  EXPECT_EQ(parsed->messages[0].role, Role::User);
  ASSERT_EQ(parsed->messages[0].parts.size(), 1u);
  EXPECT_EQ(parsed->messages[0].parts[0].text.text, "Tell me a joke");
  EXPECT_EQ(parsed->messages[0].parts[0].text.pointer, "/input");
}

TEST(OpenAiResponsesRequest, NoInputContinuesAPreviousResponse) {
  auto parsed = parseOpenAi(Operation::Responses, R"({"model":"o3","previous_response_id":"resp_1"})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(parsed->messages.empty());
}

TEST(OpenAiResponsesRequest, ToolOutputsOfBuiltInTools) {
  auto parsed =
      parseOpenAi(Operation::Responses,
                  R"({"input":[{"type":"computer_call_output","call_id":"cu1","output":{"type":"computer_screenshot",)"
                  R"("image_url":"data:image/png;base64,iVBORw0KGgo="}},)"
                  R"({"type":"local_shell_call_output","id":"ls1","output":"total 0"},)"
                  R"({"type":"web_search_call","id":"ws1","status":"completed"}]})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->messages.size(), 2u);
  EXPECT_EQ(parsed->messages[0].role, Role::Tool);
  EXPECT_EQ(parsed->messages[0].toolCallId, "cu1");
  ASSERT_EQ(parsed->messages[0].parts.size(), 1u);
  EXPECT_EQ(parsed->messages[0].parts[0].kind, Part::Kind::Image);
  EXPECT_EQ(parsed->messages[0].parts[0].mediaType, "image/png");
  EXPECT_EQ(parsed->messages[0].parts[0].bytes, 8u);
  ASSERT_EQ(parsed->messages[1].parts.size(), 1u);
  EXPECT_EQ(parsed->messages[1].parts[0].text.text, "total 0");
  EXPECT_EQ(parsed->messages[1].parts[0].text.pointer, "/input/1/output");
}

struct BadResponses {
  const char* body;
  const char* error;
};

class OpenAiResponsesRequestErrors : public ::testing::TestWithParam<BadResponses> {};

TEST_P(OpenAiResponsesRequestErrors, NameWhatIsWrong) {
  auto parsed = parseOpenAi(Operation::Responses, GetParam().body);
  ASSERT_FALSE(parsed) << GetParam().body;
  EXPECT_EQ(parsed.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, OpenAiResponsesRequestErrors,
    ::testing::Values(
        BadResponses{R"({"input":5})", "input: expected a string or an array of input items"},
        BadResponses{R"({"input":{"role":"user"}})", "input: expected a string or an array of input items"},
        BadResponses{R"({"input":["hi"]})", "input[0]: expected an input item object"},
        BadResponses{R"({"input":[{"content":"hi"}]})", "input[0].role: expected a string (it is required)"},
        BadResponses{R"({"input":[{"role":"user","content":7}]})",
                     "input[0].content: expected a string or an array of parts"},
        BadResponses{R"({"input":[{"role":"user","content":[{"type":"input_text"}]}]})",
                     "input[0].content[0].text: expected a string (it is required)"},
        BadResponses{R"({"input":[{"role":"user","content":[{"type":"input_image","image_url":{"url":"x"}}]}]})",
                     "input[0].content[0].image_url: expected a string"},
        BadResponses{R"({"input":[{"type":"function_call","call_id":"c","arguments":"{}"}]})",
                     "input[0].name: expected a string (it is required)"},
        BadResponses{R"({"input":[{"type":"function_call","name":"f","arguments":{"a":1}}]})",
                     "input[0].arguments: expected a string"},
        BadResponses{R"({"input":[{"type":"function_call_output","call_id":"c","output":3}]})",
                     "input[0].output: expected a string or an array of parts"},
        BadResponses{R"({"input":[],"instructions":["a"]})", "instructions: expected a string"},
        BadResponses{R"({"tools":[{"name":"f"}]})", "tools[0].type: expected a string (it is required)"},
        BadResponses{R"({"tools":[{"type":"function","description":"d"}]})",
                     "tools[0].name: expected a string (it is required)"},
        BadResponses{R"({"prompt":{"id":"p","variables":{"x":1}}})",
                     "prompt.variables.x: expected a string or an input part object"},
        BadResponses{R"({"prompt":"p"})", "prompt: expected an object"},
        BadResponses{R"({"max_output_tokens":"many"})", "max_output_tokens: expected a non-negative integer"}));

}  // namespace
}  // namespace warden::providers
