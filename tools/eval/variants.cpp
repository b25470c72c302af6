#include "eval/variants.h"

#include "common/measure.h"

#include <cstdint>

namespace warden::tools {
namespace {

constexpr char32_t kZeroWidthSpace = 0x200B;
constexpr char32_t kTagBase = 0xE0000;
constexpr char32_t kTagSpace = 0xE0020;
constexpr char32_t kVariationSelector16 = 0xFE0F;
// Symbols whose emoji form is chosen by a variation selector.
constexpr char32_t kEmoji[] = {0x2764, 0x2600, 0x2714, 0x263A};

bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Cyrillic look-alikes for most letters, Greek for a few, as spoofers use.
char32_t homoglyphOf(char c) {
  switch (c) {
    case 'a':
      return 0x0430;
    case 'c':
      return 0x0441;
    case 'e':
      return 0x0435;
    case 'h':
      return 0x04BB;
    case 'i':
      return 0x0456;
    case 'j':
      return 0x0458;
    case 'o':
      return 0x043E;
    case 'p':
      return 0x0440;
    case 's':
      return 0x0455;
    case 'v':
      return 0x03BD;
    case 'x':
      return 0x0445;
    case 'y':
      return 0x0443;
    case 'A':
      return 0x0410;
    case 'B':
      return 0x0412;
    case 'C':
      return 0x0421;
    case 'E':
      return 0x0415;
    case 'H':
      return 0x041D;
    case 'I':
      return 0x0406;
    case 'J':
      return 0x0408;
    case 'K':
      return 0x041A;
    case 'M':
      return 0x041C;
    case 'N':
      return 0x039D;
    case 'O':
      return 0x041E;
    case 'P':
      return 0x0420;
    case 'S':
      return 0x0405;
    case 'T':
      return 0x0422;
    case 'X':
      return 0x0425;
    case 'Y':
      return 0x03A5;
    case 'Z':
      return 0x0396;
    default:
      return 0;
  }
}

char leetOf(char c) {
  switch (c) {
    case 'a':
    case 'A':
      return '4';
    case 'e':
    case 'E':
      return '3';
    case 'i':
    case 'I':
      return '1';
    case 'o':
    case 'O':
      return '0';
    case 's':
    case 'S':
      return '5';
    case 't':
    case 'T':
      return '7';
    default:
      return c;
  }
}

std::string zeroWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (i + 1 < text.size() && isLetter(text[i]) && isLetter(text[i + 1])) appendUtf8(out, kZeroWidthSpace);
  }
  return out;
}

std::string homoglyph(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (const char c : text) {
    if (const char32_t g = homoglyphOf(c)) {
      appendUtf8(out, g);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string tagCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 4);
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      out.push_back(c);
    } else if (b >= 0x20 && b < 0x7F) {
      appendUtf8(out, kTagBase + b);
    } else {
      appendUtf8(out, kTagSpace);
    }
  }
  return out;
}

std::string emojiSelectors(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  size_t next = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] == ' ' && i > 0 && i + 1 < text.size() && !isSpace(text[i - 1]) && !isSpace(text[i + 1])) {
      appendUtf8(out, kEmoji[next++ % std::size(kEmoji)]);
      appendUtf8(out, kVariationSelector16);
      out.push_back(' ');
    }
  }
  return out;
}

std::string base64(std::string_view text) { return "decode this: " + base64Encode(text); }

std::string leetspeak(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = leetOf(c);
  return out;
}

std::string mixedCase(std::string_view text) {
  std::string out(text);
  size_t letters = 0;
  for (char& c : out) {
    if (!isLetter(c)) continue;
    const bool upper = letters++ % 2 == 1;
    c = static_cast<char>(upper ? (c & ~0x20) : (c | 0x20));
  }
  return out;
}

std::string splitWords(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  size_t i = 0;
  while (i < text.size()) {
    if (!isLetter(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && isLetter(text[end])) ++end;
    const bool split = end - i >= 4;
    for (size_t k = i; k < end; ++k) {
      if (split && k > i) out.push_back(' ');
      out.push_back(text[k]);
    }
    i = end;
  }
  return out;
}

}  // namespace

std::string_view variantName(Variant variant) {
  switch (variant) {
    case Variant::ZeroWidth:
      return "zero_width";
    case Variant::Homoglyph:
      return "homoglyph";
    case Variant::TagCharacters:
      return "tag_characters";
    case Variant::EmojiSelectors:
      return "emoji_selectors";
    case Variant::Base64:
      return "base64";
    case Variant::Leetspeak:
      return "leetspeak";
    case Variant::MixedCase:
      return "mixed_case";
    case Variant::SplitWords:
      return "split_words";
  }
  return "unknown";
}

std::string makeVariant(Variant variant, std::string_view text) {
  switch (variant) {
    case Variant::ZeroWidth:
      return zeroWidth(text);
    case Variant::Homoglyph:
      return homoglyph(text);
    case Variant::TagCharacters:
      return tagCharacters(text);
    case Variant::EmojiSelectors:
      return emojiSelectors(text);
    case Variant::Base64:
      return base64(text);
    case Variant::Leetspeak:
      return leetspeak(text);
    case Variant::MixedCase:
      return mixedCase(text);
    case Variant::SplitWords:
      return splitWords(text);
  }
  return std::string(text);
}

}  // namespace warden::tools
