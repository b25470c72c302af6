// A piece of a prompt, quoted for a terminal so that what a reader would not
// see is visible: control, format and invisible characters (zero-width, bidi,
// tag characters, variation selectors, odd spaces) become \u{XXXX}, bytes that
// are not UTF-8 become \x{XX}. Smuggled text shows up as a run of escapes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace warden::cli {

inline constexpr size_t kExcerptBytes = 80;

// Every character of `text`, escaped as above; " and \ are escaped too.
std::string escapeInvisible(std::string_view text);

// Bytes [offset, offset + length) of `text` in double quotes, at most
// `maxBytes` of them (cut at a character boundary, "..." marking what is
// left out). When the span is longer, the window starts shortly before its
// first invisible character, so that is what gets shown.
std::string quotedExcerpt(std::string_view text, size_t offset, size_t length, size_t maxBytes = kExcerptBytes);

}  // namespace warden::cli
