// How much of a text a reader cannot see: the characters that sanitising
// removes (tag characters, variation-selector runs, bidi embeddings and
// overrides, zero-width characters inside ASCII words). Legitimate uses of
// invisibles (one selector after an emoji, joiners inside emoji sequences and
// scripts that need them) stay in the sanitised text and are not counted.
#pragma once

#include <cstddef>
#include <string_view>

#include "layers/validation/normalizer.h"

namespace warden::validation {

struct HiddenText {
  size_t hiddenChars = 0;  // code points sanitising removes
  size_t totalChars = 0;   // code points of the original
  bool smuggling() const { return hiddenChars > 0; }
  double ratio() const { return totalChars ? static_cast<double>(hiddenChars) / static_cast<double>(totalChars) : 0; }
};

// `text` is normalize(original).
HiddenText measureHiddenText(std::string_view original, const NormalizedText& text);

}  // namespace warden::validation
