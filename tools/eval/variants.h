// Robustness variants of a text: the same attack rewritten the way people
// get past filters. Deterministic, so two runs of the evaluation compare.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace warden::tools {

enum class Variant {
  ZeroWidth,       // U+200B between adjacent letters
  Homoglyph,       // Latin letters swapped for Cyrillic/Greek look-alikes
  TagCharacters,   // the whole text spelled in invisible tag characters
  EmojiSelectors,  // an emoji with a variation selector between words
  Base64,          // "decode this: " + base64 of the whole text
  Leetspeak,       // a->4 e->3 i->1 o->0 s->5 t->7
  MixedCase,       // letters alternate lower/upper case
  SplitWords,      // words of four or more letters spelled out "i g n o r e"
};

inline constexpr std::array kAllVariants{Variant::ZeroWidth,      Variant::Homoglyph, Variant::TagCharacters,
                                         Variant::EmojiSelectors, Variant::Base64,    Variant::Leetspeak,
                                         Variant::MixedCase,      Variant::SplitWords};

std::string_view variantName(Variant variant);

// `text` is UTF-8; what is not ASCII passes through unchanged (tag
// characters can only spell ASCII, so TagCharacters keeps it visible).
std::string makeVariant(Variant variant, std::string_view text);

}  // namespace warden::tools
