#include "layers/validation/text_likeness.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace warden::validation {
namespace {

constexpr size_t kMinBytes = 4;

bool printable(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
  return u_isprint(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

}  // namespace

bool looksLikeText(std::string_view bytes) {
  if (bytes.size() < kMinBytes) return false;
  size_t characters = 0;
  size_t bad = 0;
  bool letter = false;
  const int32_t length = static_cast<int32_t>(bytes.size());
  for (int32_t at = 0; at < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes.data(), at, length, c);
    ++characters;
    if (!printable(c)) ++bad;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x80 && u_isalpha(c))) letter = true;
  }
  return letter && bad * 10 <= characters;
}

}  // namespace warden::validation
