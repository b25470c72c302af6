#include "cli/text_excerpt.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace warden::cli {
namespace {

// Bytes of context shown before the first invisible character of a long span.
constexpr size_t kLeadBytes = 16;

struct Char {
  UChar32 code = 0;  // < 0: an invalid byte
  size_t size = 1;
};

Char charAt(std::string_view text, size_t at) {
  int32_t i = static_cast<int32_t>(at);
  const int32_t length = static_cast<int32_t>(std::min(text.size(), size_t{INT32_MAX}));
  UChar32 c = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, length, c);
  return {c, static_cast<size_t>(i) - at};
}

bool invisible(UChar32 c) {
  if (c == ' ') return false;
  if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) return true;
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SPACE_SEPARATOR:  // no-break, thin, ideographic... spaces pass for ' '
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
      return true;
    default:
      return c == 0x2800;  // braille blank: an empty cell that is not whitespace
  }
}

void appendEscape(std::string& out, const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

// Back to the start of the character that holds byte `at`.
size_t charStart(std::string_view text, size_t at) {
  size_t start = at;
  while (start > 0 && at - start < 3 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  // Not inside a valid sequence after all: cut at the byte itself.
  return start + charAt(text, start).size > at ? start : at;
}

// The longest prefix of `text` from `begin` of at most `maxBytes` that ends
// at a character boundary.
size_t windowEnd(std::string_view text, size_t begin, size_t end, size_t maxBytes) {
  size_t at = begin;
  while (at < end) {
    const size_t size = charAt(text, at).size;
    if (at + size - begin > maxBytes || at + size > end) break;
    at += size;
  }
  return at;
}

}  // namespace

std::string escapeInvisible(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Char c = charAt(text, at);
    if (c.code < 0) {
      for (size_t k = 0; k < c.size; ++k) appendEscape(out, "\\x{%02X}", static_cast<unsigned char>(text[at + k]));
    } else if (c.code == '"' || c.code == '\\') {
      out += '\\';
      out += static_cast<char>(c.code);
    } else if (c.code == '\n') {
      out += "\\n";
    } else if (c.code == '\r') {
      out += "\\r";
    } else if (c.code == '\t') {
      out += "\\t";
    } else if (invisible(c.code)) {
      appendEscape(out, "\\u{%04X}", static_cast<unsigned>(c.code));
    } else {
      out.append(text.substr(at, c.size));
    }
    at += c.size;
  }
  return out;
}

std::string quotedExcerpt(std::string_view text, size_t offset, size_t length, size_t maxBytes) {
  const size_t begin = std::min(offset, text.size());
  const size_t end = begin + std::min(length, text.size() - begin);
  size_t from = begin;
  if (end - begin > maxBytes) {
    for (size_t at = begin; at < end;) {
      const Char c = charAt(text, at);
      if (c.code < 0 || invisible(c.code)) {
        if (at - begin > maxBytes / 2) from = charStart(text, at > kLeadBytes ? at - kLeadBytes : 0);
        break;
      }
      at += c.size;
    }
    from = std::max(from, begin);
  }
  const size_t to = windowEnd(text, from, end, maxBytes);
  std::string out = "\"";
  if (from > begin) out += "...";
  out += escapeInvisible(text.substr(from, to - from));
  if (to < end) out += "...";
  out += '"';
  if (from > begin || to < end)
    out += " (" + std::to_string(to - from) + " of " + std::to_string(end - begin) + " bytes)";
  return out;
}

}  // namespace warden::cli
