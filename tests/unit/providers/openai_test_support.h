// Shared by the OpenAI adapter tests: fixtures, routes, and feeding a
// response body to a reader in pieces.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "providers/adapter.h"
#include "providers/route.h"

namespace warden::providers::testing {

inline std::string openAiFixture(const std::string& name) {
  const std::string path = std::string(WARDEN_TEST_FIXTURES) + "/providers/openai/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline Route openAiRoute(Operation operation, Provider provider = Provider::OpenAI) {
  Route route;
  route.provider = provider;
  route.operation = operation;
  return route;
}

inline Result<Request> parseOpenAi(Operation operation, std::string_view body, ParseLimits limits = {}) {
  return openAiAdapter().parseRequest(openAiRoute(operation), body, limits);
}

// Feeds `pieces` one after another, then finishes.
inline std::unique_ptr<ResponseReader> readOpenAi(Operation operation, unsigned status, std::string_view contentType,
                                                  std::initializer_list<std::string_view> pieces) {
  auto reader = openAiAdapter().readResponse(openAiRoute(operation), status, contentType);
  for (const std::string_view piece : pieces) reader->feed(piece);
  reader->finish();
  return reader;
}

inline void expectSameResponse(const Response& actual, const Response& expected, const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.model, expected.model);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.finishReason, expected.finishReason);
  EXPECT_EQ(actual.usage.inputTokens, expected.usage.inputTokens);
  EXPECT_EQ(actual.usage.outputTokens, expected.usage.outputTokens);
  EXPECT_EQ(actual.errorMessage, expected.errorMessage);
  ASSERT_EQ(actual.toolCalls.size(), expected.toolCalls.size());
  for (size_t i = 0; i < actual.toolCalls.size(); ++i) {
    EXPECT_EQ(actual.toolCalls[i].id, expected.toolCalls[i].id) << i;
    EXPECT_EQ(actual.toolCalls[i].name, expected.toolCalls[i].name) << i;
    EXPECT_EQ(actual.toolCalls[i].arguments.text, expected.toolCalls[i].arguments.text) << i;
    EXPECT_EQ(actual.toolCalls[i].arguments.pointer, expected.toolCalls[i].arguments.pointer) << i;
  }
}

}  // namespace warden::providers::testing
