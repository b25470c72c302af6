// Words spelled out letter by letter ("i g n o r e", "i.g.n.o.r.e") joined
// back, so word rules match them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::validation {

struct JoinedText {
  std::string text;
  std::vector<uint32_t> offsets;  // original offset of each byte, plus the end
};

// `offsets` maps each byte of `folded` to the original, plus the end. Runs of
// at least three one-character tokens lose the separators between them.
JoinedText joinSplitLetters(std::string_view folded, const std::vector<uint32_t>& offsets);

}  // namespace warden::validation
