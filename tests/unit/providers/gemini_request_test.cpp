// The Gemini generateContent request read into the conversation model, in
// both spellings the API accepts (lowerCamelCase and snake_case).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "provider_test_support.h"

namespace warden::providers {
namespace {

using namespace testing;  // the shared helpers in provider_test_support.h

std::string fixture(const std::string& name) { return testing::readFixture("gemini", name); }

const Route kGenerate{
    .provider = Provider::Gemini, .operation = Operation::GenerateContent, .modelFromPath = "gemini-2.0-flash"};
const Route kStream{.provider = Provider::Gemini,
                    .operation = Operation::StreamGenerateContent,
                    .modelFromPath = "gemini-1.5-pro",
                    .streamFromPath = true};

Result<Request> parse(std::string_view body, const Route& route = kGenerate, ParseLimits limits = {}) {
  return geminiAdapter().parseRequest(route, body, limits);
}

std::string errorOf(std::string_view body) {
  auto request = parse(body);
  return request.ok() ? "(parsed)" : request.error().message;
}

TEST(GeminiRequest, ReadsEveryFieldOfAFullRequest) {
  const std::string body = fixture("request_full.json");
  auto parsed = parse(body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Request& request = *parsed;

  EXPECT_EQ(request.provider, Provider::Gemini);
  EXPECT_EQ(request.operation, Operation::GenerateContent);
  EXPECT_EQ(request.model, "gemini-2.0-flash");
  EXPECT_FALSE(request.stream);
  EXPECT_EQ(request.maxOutputTokens, 800u);
  EXPECT_EQ(request.temperature, 1.0);
  EXPECT_TRUE(request.inputs.empty());
  ASSERT_EQ(request.messages.size(), 5u);

  const Message& system = request.messages[0];
  EXPECT_EQ(system.role, Role::System);
  ASSERT_EQ(system.parts.size(), 1u);
  expectText(system.parts[0], "You are a cat. Your name is Neko.", "/systemInstruction/parts/0/text");

  const Message& user = request.messages[1];
  EXPECT_EQ(user.role, Role::User);
  ASSERT_EQ(user.parts.size(), 4u);
  expectText(user.parts[0], "What is in this picture and this recording?", "/contents/0/parts/0/text");
  expectData(user.parts[1], Part::Kind::Image, "image/jpeg", 10, "");
  expectData(user.parts[2], Part::Kind::Audio, "audio/mp3", 0,
             "https://generativelanguage.googleapis.com/v1beta/files/abc123");
  expectData(user.parts[3], Part::Kind::File, "application/pdf", 0, "gs://bucket/doc.pdf");
  EXPECT_TRUE(user.toolCalls.empty());

  const Message& model = request.messages[2];
  EXPECT_EQ(model.role, Role::Assistant);
  ASSERT_EQ(model.parts.size(), 2u);
  expectText(model.parts[0], "I should look up theaters.", "/contents/1/parts/0/text", Part::Kind::Other);
  expectText(model.parts[1], "A cat, meowing.", "/contents/1/parts/1/text");
  ASSERT_EQ(model.toolCalls.size(), 1u);
  EXPECT_EQ(model.toolCalls[0].id, "call-1");
  EXPECT_EQ(model.toolCalls[0].name, "find_theaters");
  EXPECT_EQ(Json::parse(model.toolCalls[0].arguments.text),
            Json::parse(R"({"location": "Mountain View, CA", "movie": "Barbie"})"));
  EXPECT_EQ(model.toolCalls[0].arguments.pointer, "/contents/1/parts/2/functionCall/args");

  // Each string the tool returned is a text the model will read.
  const Message& result = request.messages[3];
  EXPECT_EQ(result.role, Role::Tool);
  EXPECT_EQ(result.toolCallId, "call-1");
  EXPECT_EQ(result.name, "find_theaters");
  ASSERT_EQ(result.parts.size(), 4u);
  const std::string response = "/contents/2/parts/0/functionResponse/response";
  expectText(result.parts[0], "Barbie", response + "/content/movie");
  expectText(result.parts[1], "2000 W El Camino Real", response + "/content/theaters/0/address");
  expectText(result.parts[2], "AMC Mountain View 16", response + "/content/theaters/0/name");
  expectText(result.parts[3], "find_theaters", response + "/name");

  const Message& followUp = request.messages[4];
  EXPECT_EQ(followUp.role, Role::User);
  ASSERT_EQ(followUp.parts.size(), 1u);
  expectText(followUp.parts[0], "Which one is closest?", "/contents/2/parts/1/text");

  ASSERT_EQ(request.tools.size(), 3u);
  EXPECT_EQ(request.tools[0].name, "find_theaters");
  EXPECT_EQ(request.tools[0].type, "function");
  EXPECT_EQ(request.tools[0].description.text, "find theaters based on location and optionally movie title");
  EXPECT_EQ(request.tools[0].description.pointer, "/tools/0/functionDeclarations/0/description");
  EXPECT_EQ(request.tools[1].name, "get_time");
  EXPECT_EQ(request.tools[1].type, "function");
  EXPECT_EQ(request.tools[1].description.pointer, "");
  EXPECT_EQ(request.tools[2].name, "googleSearch");
  EXPECT_EQ(request.tools[2].type, "googleSearch");

  expectPointersResolve(body, request);
}

TEST(GeminiRequest, ReadsSnakeCaseAndSingleValuesForLists) {
  const std::string body = fixture("request_snake_case.json");
  auto parsed = parse(body, kStream);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Request& request = *parsed;

  EXPECT_EQ(request.operation, Operation::StreamGenerateContent);
  EXPECT_EQ(request.model, "gemini-1.5-pro");
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.maxOutputTokens, 64u);
  EXPECT_EQ(request.temperature, 0.2);
  ASSERT_EQ(request.messages.size(), 2u);

  EXPECT_EQ(request.messages[0].role, Role::System);
  ASSERT_EQ(request.messages[0].parts.size(), 1u);
  expectText(request.messages[0].parts[0], "Reply briefly.", "/system_instruction/parts/text");

  const Message& user = request.messages[1];
  EXPECT_EQ(user.role, Role::User);  // no role: the user speaks
  ASSERT_EQ(user.parts.size(), 5u);
  expectText(user.parts[0], "Caption this.", "/contents/parts/0/text");
  expectData(user.parts[1], Part::Kind::Image, "image/png", 8, "");
  expectData(user.parts[2], Part::Kind::File, "video/mp4", 0, "https://example.com/v.mp4");
  expectText(user.parts[3], "print(1)", "/contents/parts/3/executable_code/code", Part::Kind::Other);
  expectText(user.parts[4], "1\n", "/contents/parts/4/code_execution_result/output", Part::Kind::Other);

  ASSERT_EQ(request.tools.size(), 2u);
  EXPECT_EQ(request.tools[0].name, "lookup");
  EXPECT_EQ(request.tools[0].type, "function");
  EXPECT_EQ(request.tools[0].description.text, "Looks things up");
  EXPECT_EQ(request.tools[0].description.pointer, "/tools/0/function_declarations/0/description");
  EXPECT_EQ(request.tools[1].name, "code_execution");
  EXPECT_EQ(request.tools[1].type, "code_execution");

  expectPointersResolve(body, request);
}

TEST(GeminiRequest, TheStreamingFlagComesFromThePath) {
  const std::string body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
  auto streamed = parse(body, kStream);
  ASSERT_TRUE(streamed.ok());
  EXPECT_TRUE(streamed->stream);
  auto plain = parse(body);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->stream);
  EXPECT_FALSE(plain->maxOutputTokens);
  EXPECT_FALSE(plain->temperature);
}

TEST(GeminiRequest, FunctionResponsesWithoutIdsAndOtherRoles) {
  const std::string body = R"({"contents":[
      {"role":"function","parts":[{"function_response":{"name":"f","response":{"result":["a","b"],"n":1}}}]},
      {"role":"moderator","parts":[{"text":"x"},{"unknownPart":{}}]}]})";
  auto request = parse(body);
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 2u);
  EXPECT_EQ(request->messages[0].role, Role::Tool);
  EXPECT_EQ(request->messages[0].toolCallId, "");
  EXPECT_EQ(request->messages[0].name, "f");
  ASSERT_EQ(request->messages[0].parts.size(), 2u);
  expectText(request->messages[0].parts[0], "a", "/contents/0/parts/0/function_response/response/result/0");
  expectText(request->messages[0].parts[1], "b", "/contents/0/parts/0/function_response/response/result/1");
  EXPECT_EQ(request->messages[1].role, Role::Unknown);
  ASSERT_EQ(request->messages[1].parts.size(), 2u);
  EXPECT_EQ(request->messages[1].parts[1].kind, Part::Kind::Other);
  expectPointersResolve(body, *request);
}

TEST(GeminiRequest, WrongTypesAreNamedTheWayDevelopersWriteThem) {
  EXPECT_EQ(errorOf(R"({})"), "contents: expected an array of contents");
  EXPECT_EQ(errorOf(R"({"contents":"hi"})"), "contents: expected an array of contents");
  EXPECT_EQ(errorOf(R"({"contents":[5]})"), "contents[0]: expected an object with role and parts");
  EXPECT_EQ(errorOf(R"({"contents":[{"role":"user"}]})"), "contents[0].parts: expected an array of parts");
  EXPECT_EQ(errorOf(R"({"contents":[{"role":1,"parts":[]}]})"), "contents[0].role: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"text":"a"},{"text":7}]}]})"),
            "contents[0].parts[1].text: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":["text"]}]})"), "contents[0].parts[0]: expected a part object");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"inlineData":{"mimeType":"image/png"}}]}]})"),
            "contents[0].parts[0].inlineData.data: expected base64 text");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"inline_data":"abc"}]}]})"),
            "contents[0].parts[0].inline_data: expected an object");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"fileData":{"mimeType":"image/png"}}]}]})"),
            "contents[0].parts[0].fileData.fileUri: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"functionCall":{"args":{}}}]}]})"),
            "contents[0].parts[0].functionCall.name: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"functionCall":{"name":"f","args":"x=1"}}]}]})"),
            "contents[0].parts[0].functionCall.args: expected an object");
  EXPECT_EQ(errorOf(R"({"contents":[{"parts":[{"functionResponse":{"name":"f","response":"ok"}}]}]})"),
            "contents[0].parts[0].functionResponse.response: expected an object");
  EXPECT_EQ(errorOf(R"({"contents":[],"systemInstruction":{"parts":[{"text":false}]}})"),
            "systemInstruction.parts[0].text: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[],"tools":{"googleSearch":{}}})"), "tools: expected an array of tools");
  EXPECT_EQ(errorOf(R"({"contents":[],"tools":[{"functionDeclarations":{}}]})"),
            "tools[0].functionDeclarations: expected an array of function declarations");
  EXPECT_EQ(errorOf(R"({"contents":[],"tools":[{"functionDeclarations":[{"description":"d"}]}]})"),
            "tools[0].functionDeclarations[0].name: expected a string");
  EXPECT_EQ(errorOf(R"({"contents":[],"generationConfig":[]})"), "generationConfig: expected an object");
  EXPECT_EQ(errorOf(R"({"contents":[],"generationConfig":{"maxOutputTokens":-5}})"),
            "generationConfig.maxOutputTokens: expected a non-negative integer");
  EXPECT_EQ(errorOf(R"({"contents":[],"generation_config":{"temperature":"warm"}})"),
            "generation_config.temperature: expected a number");
  EXPECT_EQ(errorOf("[]"), "request body: expected a JSON object");
}

TEST(GeminiRequest, SystemInstructionAsAString) {
  auto request = parse(R"({"systemInstruction":"Be kind.","contents":[]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_EQ(request->messages.size(), 1u);
  EXPECT_EQ(request->messages[0].role, Role::System);
  expectText(request->messages[0].parts.at(0), "Be kind.", "/systemInstruction");
}

TEST(GeminiRequest, MalformedDeepAndInvalidUtf8BodiesAreErrors) {
  for (const std::string_view body : {"", "{", R"({"contents":[}])", "{} {}"}) {
    EXPECT_TRUE(errorOf(body).starts_with("request body: malformed JSON")) << body;
  }
  EXPECT_NE(errorOf(std::string(10000, '[') + std::string(10000, ']')).find("nested deeper than 64 levels"),
            std::string::npos);
  const std::string deepArgs = R"({"contents":[{"parts":[{"functionCall":{"name":"f","args":{"a":)" +
                               std::string(10000, '[') + std::string(10000, ']') + "}}}]}]}";
  EXPECT_NE(errorOf(deepArgs).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_TRUE(errorOf("{\"contents\":[{\"parts\":[{\"text\":\"\xed\xa0\x80\"}]}]}")
                  .starts_with("request body: malformed JSON"));
}

TEST(GeminiRequest, EveryTruncationIsAnError) {
  const std::string body = fixture("request_full.json");
  const size_t end = body.rfind('}');
  for (size_t cut = 0; cut <= end; ++cut) {
    EXPECT_FALSE(parse(std::string_view(body).substr(0, cut)).ok()) << cut;
  }
  EXPECT_TRUE(parse(std::string_view(body).substr(0, end + 1)).ok());
}

// Random damage: whatever is read is consistent, nothing crashes or throws.
TEST(GeminiRequest, SurvivesCorruptedBodies) {
  for (const char* name : {"request_full.json", "request_snake_case.json"}) {
    const std::string body = fixture(name);
    std::mt19937 random(7);
    const std::string junk = "{}[]\",:0\\ \xff\x80tfn-e.";
    for (int round = 0; round < 2000; ++round) {
      std::string damaged = body;
      const int edits = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < edits; ++i) damaged[random() % damaged.size()] = junk[random() % junk.size()];
      auto request = parse(damaged);
      if (request.ok()) expectPointersResolve(damaged, *request);
    }
  }
}

// The proxy finds this adapter by route; the model and streaming come from the path.
TEST(GeminiRequest, ThePathNamesTheModelAndTheStreaming) {
  const std::string host = "generativelanguage.googleapis.com";
  const Route streamed = route(host, "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  ASSERT_EQ(adapterFor(streamed), &geminiAdapter());
  auto request = adapterFor(streamed)->parseRequest(streamed, R"({"contents":[{"parts":[{"text":"hi"}]}]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->model, "gemini-2.0-flash");
  EXPECT_EQ(request->operation, Operation::StreamGenerateContent);
  EXPECT_TRUE(request->stream);

  const Route plain = route(host, "POST", "/v1beta/models/gemini-1.5-pro:generateContent");
  ASSERT_EQ(adapterFor(plain), &geminiAdapter());
  request = adapterFor(plain)->parseRequest(plain, R"({"contents":[]})");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->model, "gemini-1.5-pro");
  EXPECT_EQ(request->operation, Operation::GenerateContent);
  EXPECT_FALSE(request->stream);
}

}  // namespace
}  // namespace warden::providers
