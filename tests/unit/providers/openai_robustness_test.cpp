// Hostile and broken bodies: errors, never crashes or unbounded work.
#include <gtest/gtest.h>

#include <random>

#include "openai_test_support.h"

namespace warden::providers {
namespace {

using testing::openAiFixture;
using testing::parseOpenAi;
using testing::readOpenAi;

const Operation kOperations[] = {Operation::ChatCompletions, Operation::Completions, Operation::Responses,
                                 Operation::Embeddings, Operation::Moderations};

TEST(OpenAiRobustness, MalformedJsonIsAnError) {
  for (const Operation op : kOperations) {
    for (const std::string body : {"", "{", "{\"messages\":[}", "{\"a\":1,}", "nul", "{\"a\":\"unterminated}", "{} {}",
                                   "\x00", "{\"model\":\"m\"}garbage"}) {
      auto parsed = parseOpenAi(op, body);
      ASSERT_FALSE(parsed) << toString(op) << " accepted " << body;
      EXPECT_EQ(parsed.error().message.rfind("request body: malformed JSON", 0), 0u) << parsed.error().message;
    }
  }
}

TEST(OpenAiRobustness, DeepNestingIsRefusedBeforeParsing) {
  const std::string arrays = std::string(10000, '[') + std::string(10000, ']');
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(10000, '}');
    return s;
  }();
  const std::string inMessages = R"({"messages":[{"role":"user","content":)" + arrays + "}]}";
  for (const Operation op : kOperations) {
    for (const std::string* body : {&arrays, &objects, &inMessages}) {
      auto parsed = parseOpenAi(op, *body);
      ASSERT_FALSE(parsed);
      EXPECT_EQ(parsed.error().message, "request body: JSON nested deeper than 64 levels");
    }
  }
  // Unterminated nesting too: refused as the malformed JSON it is, found
  // before any value is built.
  auto open = parseOpenAi(Operation::ChatCompletions, std::string(100000, '['));
  ASSERT_FALSE(open);
  EXPECT_TRUE(open.error().message.starts_with("request body: malformed JSON")) << open.error().message;
}

TEST(OpenAiRobustness, DepthLimitIsTheCallers) {
  std::string nested = "\"x\"";
  for (int i = 0; i < 20; ++i) nested = "[" + nested + "]";
  const std::string body = R"({"messages":[],"metadata":)" + nested + "}";
  EXPECT_TRUE(parseOpenAi(Operation::ChatCompletions, body, ParseLimits{64}));
  EXPECT_FALSE(parseOpenAi(Operation::ChatCompletions, body, ParseLimits{10}));
}

TEST(OpenAiRobustness, InvalidUtf8IsAnError) {
  for (const std::string text : {"\xff", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}) {
    const std::string body = R"({"messages":[{"role":"user","content":"hi )" + text + R"("}]})";
    auto parsed = parseOpenAi(Operation::ChatCompletions, body);
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("malformed JSON"), std::string::npos) << parsed.error().message;
  }
  // Escaped lone surrogates are invalid too.
  EXPECT_FALSE(parseOpenAi(Operation::Embeddings, R"({"input":"\ud800"})"));
  // Valid multi-byte text and escapes are fine.
  auto ok = parseOpenAi(Operation::Embeddings, R"({"input":"\u00e9 é 😀 \ud83d\ude00"})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->inputs[0].text, "é é 😀 😀");
}

TEST(OpenAiRobustness, DuplicateKeysAreRefused) {
  // Upstream parsers differ on which of two values they keep (most keep the
  // last): a body naming a member twice is not read at all.
  auto parsed = parseOpenAi(Operation::ChatCompletions, R"({"messages":[{"role":"user","content":"benign"}],)"
                                                        R"("messages":[{"role":"user","content":"the real one"}]})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, R"(request body: malformed JSON: member "messages" given twice in one object)");
}

TEST(OpenAiRobustness, UnsupportedOperationIsAnError) {
  Route route;
  route.operation = Operation::Messages;
  auto parsed = openAiAdapter().parseRequest(route, R"({"messages":[]})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "the OpenAI adapter does not read messages requests");
}

// Every prefix of a valid body is either parsed or refused, never a crash.
TEST(OpenAiRobustness, EveryTruncationOfTheFixtures) {
  const std::pair<Operation, const char*> fixtures[] = {{Operation::ChatCompletions, "chat_request.json"},
                                                        {Operation::Responses, "responses_request.json"},
                                                        {Operation::Completions, "completions_request.json"},
                                                        {Operation::Embeddings, "embeddings_request.json"},
                                                        {Operation::Moderations, "moderations_request.json"}};
  for (const auto& [op, name] : fixtures) {
    const std::string body = openAiFixture(name);
    ASSERT_TRUE(parseOpenAi(op, body)) << name;
    size_t refused = 0;
    for (size_t cut = 0; cut < body.size(); ++cut) {
      auto parsed = parseOpenAi(op, std::string_view(body).substr(0, cut));
      if (!parsed) ++refused;
    }
    // Only a prefix ending right after the closing brace can be whole.
    EXPECT_GE(refused + 1, body.size()) << name;
  }
}

// Random byte damage to requests and responses: any outcome but a crash.
TEST(OpenAiRobustness, RandomDamage) {
  std::mt19937 random(12345);
  const std::pair<Operation, const char*> requests[] = {{Operation::ChatCompletions, "chat_request.json"},
                                                        {Operation::Responses, "responses_request.json"}};
  const std::pair<Operation, const char*> streams[] = {{Operation::ChatCompletions, "chat_stream_tools.sse"},
                                                       {Operation::Responses, "responses_stream.sse"}};
  const char kNasty[] = {'"', '[', ']', '{', '}', ':', ',', '\\', '\0', '\n', '\xff', '1'};
  auto damage = [&](std::string body) {
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits; ++i) body[random() % body.size()] = kNasty[random() % sizeof(kNasty)];
    return body;
  };
  for (int round = 0; round < 300; ++round) {
    for (const auto& [op, name] : requests) {
      auto parsed = parseOpenAi(op, damage(openAiFixture(name)));
      if (!parsed) {
        EXPECT_FALSE(parsed.error().message.empty());
      }
    }
    for (const auto& [op, name] : streams) {
      auto r = readOpenAi(op, 200, "text/event-stream", {damage(openAiFixture(name))});
      if (r->failed()) {
        EXPECT_FALSE(r->failure().empty());
      }
    }
  }
}

TEST(OpenAiRobustness, HugeBase64IsSizedNotDecoded) {
  const std::string data(4 * 1024 * 1024, 'A');
  const std::string body =
      R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/webp;base64,)" +
      data + R"("}}]}]})";
  auto parsed = parseOpenAi(Operation::ChatCompletions, body);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->messages[0].parts[0].mediaType, "image/webp");
  EXPECT_EQ(parsed->messages[0].parts[0].bytes, 3u * 1024 * 1024);
}

TEST(OpenAiRobustness, DataUrlVariants) {
  auto parse = [](const std::string& url) {
    auto parsed = parseOpenAi(
        Operation::ChatCompletions,
        R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":")" + url + R"("}}]}]})");
    EXPECT_TRUE(parsed) << url;
    return parsed ? parsed->messages[0].parts[0] : Part{};
  };
  const Part upper = parse("DATA:Image/PNG;BASE64,iVBO\\nRw0K GgoAAAANSUhEUg==");
  EXPECT_EQ(upper.mediaType, "image/png");
  EXPECT_EQ(upper.bytes, 16u);  // whitespace and padding not counted
  const Part urlSafe = parse("data:image/png;base64,-_-_");
  EXPECT_EQ(urlSafe.bytes, 3u);
  const Part plain = parse("data:text/plain;charset=utf-8,hello%20world");
  EXPECT_EQ(plain.mediaType, "text/plain");
  EXPECT_EQ(plain.bytes, 11u);
  const Part noComma = parse("data:image/png;base64");
  EXPECT_EQ(noComma.mediaType, "image/png");
  EXPECT_EQ(noComma.bytes, 0u);
  const Part empty = parse("data:,");
  EXPECT_EQ(empty.mediaType, "");
  EXPECT_EQ(empty.bytes, 0u);
  EXPECT_EQ(empty.reference, "");
}

}  // namespace
}  // namespace warden::providers
