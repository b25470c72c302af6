// The folded view: NFKC, confusables read as ASCII, whitespace runs as one
// space, case folded; each byte remembers where in the original it came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::validation {

struct FoldedText {
  std::string text;
  std::vector<uint32_t> offsets;  // original offset of each byte of text, plus the end
  size_t confusablesFolded = 0;
};

// `offsets` maps each byte of `clean` (valid UTF-8) to the original, plus the
// end; `ascii` says clean has no byte >= 0x80. The result stops at maxBytes.
FoldedText foldText(std::string_view clean, const std::vector<uint32_t>& offsets, bool ascii, size_t maxBytes);

}  // namespace warden::validation
