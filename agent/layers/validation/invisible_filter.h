// First pass over a text: decodes UTF-8 (replacing what is invalid), takes
// out the characters a reader cannot see, and reads what they smuggle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "layers/validation/normalizer.h"

namespace warden::validation {

// A run of tag characters or variation selectors, read as bytes.
struct HiddenRun {
  Encoding encoding = Encoding::TagCharacters;
  Span original;
  std::string bytes;
};

struct CleanText {
  std::string text;  // the scanned part, valid UTF-8, invisibles removed
  std::vector<uint32_t> offsets;  // original offset of each byte of text, plus the end
  bool ascii = true;              // text has no byte >= 0x80
  std::string sanitized;          // see NormalizedText::sanitized
  std::vector<HiddenRun> hidden;
  NormalizeCounts counts;  // the invisible and invalid-UTF-8 counts only
};

// Scans input[0, scanBytes) (scanBytes ends on a character boundary); the
// sanitized copy covers all of input.
CleanText filterInvisibles(std::string_view input, size_t scanBytes);

}  // namespace warden::validation
