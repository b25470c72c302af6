#include "layers/validation/joined_view.h"

namespace warden::validation {
namespace {

constexpr size_t kMinLetters = 3;
constexpr size_t kMaxGap = 3;  // "i - g - n" still reads as one word

bool isSeparator(unsigned char c) {
  switch (c) {
    case ' ': case '.': case '-': case '_': case '*': case '/': case '|': case ',': case '+': case '~':
    case ':': case ';': case '\'': case '"': case '`': case '=':
      return true;
    default:
      return false;
  }
}

struct Token {
  size_t begin;
  size_t end;
  bool single;  // one letter, digit or non-ASCII character
};

bool singleCharacter(std::string_view word) {
  const unsigned char lead = static_cast<unsigned char>(word[0]);
  if (lead < 0x80) return word.size() == 1 && ((lead >= 'a' && lead <= 'z') || (lead >= '0' && lead <= '9'));
  const size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  return word.size() == length;
}

std::vector<Token> tokens(std::string_view folded) {
  std::vector<Token> out;
  size_t at = 0;
  while (at < folded.size()) {
    while (at < folded.size() && isSeparator(static_cast<unsigned char>(folded[at]))) ++at;
    const size_t begin = at;
    while (at < folded.size() && !isSeparator(static_cast<unsigned char>(folded[at]))) ++at;
    if (at > begin) out.push_back(Token{begin, at, singleCharacter(folded.substr(begin, at - begin))});
  }
  return out;
}

// Cheap pre-check: most texts have no three one-character tokens in a row.
bool maySplitLetters(std::string_view folded) {
  size_t singles = 0;
  size_t at = 0;
  while (at < folded.size()) {
    while (at < folded.size() && isSeparator(static_cast<unsigned char>(folded[at]))) ++at;
    const size_t begin = at;
    while (at < folded.size() && !isSeparator(static_cast<unsigned char>(folded[at]))) ++at;
    if (at == begin) break;
    singles = singleCharacter(folded.substr(begin, at - begin)) ? singles + 1 : 0;
    if (singles >= kMinLetters) return true;
  }
  return false;
}

}  // namespace

JoinedText joinSplitLetters(std::string_view folded, const std::vector<uint32_t>& offsets) {
  if (!maySplitLetters(folded)) {
    return JoinedText{std::string(folded), std::vector<uint32_t>(offsets.begin(), offsets.begin() + folded.size() + 1)};
  }
  const std::vector<Token> words = tokens(folded);
  // skip[i]: the gap before token i is dropped.
  std::vector<bool> skipGapBefore(words.size(), false);
  for (size_t i = 0; i < words.size();) {
    size_t j = i;
    while (j < words.size() && words[j].single &&
           (j == i || words[j].begin - words[j - 1].end <= kMaxGap)) {
      ++j;
    }
    if (j - i >= kMinLetters) {
      for (size_t k = i + 1; k < j; ++k) skipGapBefore[k] = true;
    }
    i = j > i ? j : i + 1;
  }
  JoinedText out;
  out.text.reserve(folded.size());
  out.offsets.reserve(folded.size() + 1);
  size_t copied = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const size_t from = skipGapBefore[i] ? words[i].begin : copied;
    for (size_t b = from; b < words[i].end; ++b) {
      out.text.push_back(folded[b]);
      out.offsets.push_back(offsets[b]);
    }
    copied = words[i].end;
  }
  for (size_t b = copied; b < folded.size(); ++b) {
    out.text.push_back(folded[b]);
    out.offsets.push_back(offsets[b]);
  }
  out.offsets.push_back(offsets[folded.size()]);
  return out;
}

}  // namespace warden::validation
