// For tests of what the proxy does with a request's texts (validation,
// masking, capture): a message of one text part, and layer 3's masking
// scanner built from the project's own rules.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "layers/access/masking/sensitive_data_scanner.h"
#include "providers/conversation.h"

namespace warden::proxy::testing {

inline providers::Message textMessage(providers::Role role, std::string text, std::string pointer) {
  providers::Message m;
  m.role = role;
  providers::Part part;
  part.kind = providers::Part::Kind::Text;
  part.text = {std::move(text), std::move(pointer)};
  m.parts.push_back(std::move(part));
  return m;
}

// A user asks for the weather and the assistant calls a tool for it: appends
// the user's message (at index `first`) and the call, and declares the tool.
inline void appendWeatherToolCall(providers::Request& request, size_t first) {
  const std::string at = "/messages/" + std::to_string(first);
  request.messages.push_back(textMessage(providers::Role::User, "Weather in Paris?", at + "/content"));
  providers::Message call;
  call.role = providers::Role::Assistant;
  call.toolCalls.push_back({"call_1", "get_weather",
                            {"{\"city\":\"Paris\"}", "/messages/" + std::to_string(first + 1) +
                                                             "/tool_calls/0/function/arguments"}});
  request.messages.push_back(std::move(call));
  request.tools.push_back({"get_weather", {"Current weather of a city.", "/tools/0/function/description"}, "function"});
}

// Loaded once per test binary.
inline std::shared_ptr<const masking::SensitiveDataScanner> shippedScanner() {
  static const auto scanner = [] {
    auto loaded = masking::SensitiveDataScanner::load(WARDEN_POLICIES_DIR "/masking");
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? loaded.value() : nullptr;
  }();
  return scanner;
}

}  // namespace warden::proxy::testing
