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
