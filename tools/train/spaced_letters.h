// A training-time rewrite of a text with its words spelled out letter by
// letter ("ignore" -> "i g n o r e"), the split-letter evasion. The
// normaliser joins such runs back into words, but the character n-grams of a
// spaced text are new to a model fitted on plain text alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::tools {

// Spaces out each ASCII word of three letters or more with probability 3/4,
// drawn from a generator seeded by `seed` and the text, so a seed gives the
// same copy on every run. Other bytes (UTF-8 included) are kept as they are.
std::string spacedLetters(std::string_view text, uint64_t seed);

}  // namespace warden::tools
