// Fake turn markers: a line of user text or of a tool result that opens a
// turn of another role ("System:", "\n\nAssistant:", "### Human:"). The
// normalised views collapse line breaks, so this reads the original text.
// Chat-template tokens ("<|im_start|>", "[INST]") are signature rules
// (policies/rules/injection.yaml, inj.delimiter.*), not markers here.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "layers/validation/normalizer.h"

namespace warden::validation {

enum class MarkedRole : uint8_t { Privileged, Assistant, User };

struct RoleMarker {
  MarkedRole role = MarkedRole::Privileged;
  Span span;  // the label and its colon
};

// Markers at line starts in text[0, maxBytes); at most maxMarkers.
std::vector<RoleMarker> findRoleMarkers(std::string_view text, size_t maxBytes, size_t maxMarkers);

}  // namespace warden::validation
