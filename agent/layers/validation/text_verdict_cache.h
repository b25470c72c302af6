// Layer 1's memory of the texts it inspected, per thread (core/text_memory.h):
// each text's detections and report, found again by the text and its part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text_memory.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::validation {

// One text's findings (textIndex 0; the caller sets its own) and report.
struct TextOutcome {
  std::vector<Detection> detections;
  TextReport report;
};

struct TextOutcomeCost {
  size_t operator()(const TextOutcome& outcome) const;
};

class TextVerdictCache : public TextMemory<TextOutcome, TextOutcomeCost> {
 public:
  using TextMemory::TextMemory;

  const TextOutcome* find(MessagePart part, std::string_view text) {
    return TextMemory::find(static_cast<uint32_t>(part), text);
  }
  const TextOutcome* insert(MessagePart part, std::string_view text, TextOutcome&& outcome) {
    return TextMemory::insert(static_cast<uint32_t>(part), text, std::move(outcome));
  }
};

}  // namespace warden::validation
