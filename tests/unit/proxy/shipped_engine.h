// For tests of the proxy's use of the validation layer: the engine built
// from the project's own rules and models, and text hidden the way
// attackers hide it from people.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "layers/validation/engine_loader.h"

namespace warden::proxy::testing {

// Loaded once per test binary (the rule set takes a second or two to compile).
inline std::shared_ptr<const validation::PromptInspector> shippedEngine() {
  static const auto engine = [] {
    const std::string policies = WARDEN_POLICIES_DIR;
    auto loaded = validation::loadPromptInspector(
        {policies + "/rules", policies + "/models/injection.model", policies + "/models/harmful.model"}, {});
    EXPECT_TRUE(loaded) << loaded.error().message;
    return loaded ? loaded.value() : nullptr;
  }();
  return engine;
}

// ASCII spelled in Unicode tag characters (U+E0020..U+E007E), invisible in
// most interfaces.
inline std::string hideInTags(std::string_view ascii) {
  std::string out;
  for (const char c : ascii) {
    const char32_t cp = 0xE0000 + static_cast<unsigned char>(c);
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace warden::proxy::testing
