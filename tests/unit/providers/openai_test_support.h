// The OpenAI adapter tests' own helpers: their fixtures and routes, on top of
// what every provider test shares.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "provider_test_support.h"

namespace warden::providers::testing {

inline std::string openAiFixture(const std::string& name) { return readFixture("openai", name); }

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

}  // namespace warden::providers::testing
