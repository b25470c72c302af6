#include "layers/validation/alternate_readings.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace warden::validation {
namespace {

bool isPictograph(UChar32 c) {
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) || u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER) ||
         u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR) || c == 0x20E3;  // keycap
}

bool hasHighBytes(std::string_view s) {
  for (const unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

// A reading has no derived views of its own: the text's leetspeak and
// joined views were scanned already, and equal views are not scanned again
// (a second pass over them would double the cost of the reading). The
// classifiers read leetspeak in every view they hash (text_classifier.cpp).
void withoutDerivedViews(NormalizedText& t) {
  t.leet = t.folded;
  t.joined = t.folded;
}

bool isAsciiAlnum(UChar32 c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Pictographs with a letter or digit on either side (spaces apart): the
// pattern of emoji strewn between the words of a sentence.
size_t pictographsBetweenWords(std::string_view folded) {
  size_t between = 0;
  size_t pending = 0;
  bool afterWord = false;
  const auto length = static_cast<int32_t>(folded.size());
  for (int32_t at = 0; at < length;) {
    UChar32 c = 0;
    U8_NEXT(folded.data(), at, length, c);
    if (c == ' ') continue;
    if (c >= 0x80 && isPictograph(c)) {
      pending += afterWord;
      continue;
    }
    const bool word = isAsciiAlnum(c);
    if (word) between += pending;
    pending = 0;
    afterWord = word;
  }
  return between;
}

}  // namespace

std::optional<NormalizedText> withoutPictographs(const NormalizedText& text) {
  const std::string& in = text.folded;
  if (!hasHighBytes(in) || pictographsBetweenWords(in) < kMinPictographs) return std::nullopt;
  NormalizedText out;
  out.folded.reserve(in.size());
  out.foldedOffsets.reserve(in.size() + 1);
  bool removed = false;
  const auto length = static_cast<int32_t>(in.size());
  for (int32_t at = 0; at < length;) {
    const int32_t start = at;
    UChar32 c = 0;
    U8_NEXT(in.data(), at, length, c);
    if (c >= 0x80 && isPictograph(c)) {
      removed = true;
      continue;
    }
    // Removing "a 😀 b" leaves two spaces; keep the view's one-space form.
    if (c == ' ' && (out.folded.empty() || out.folded.back() == ' ')) continue;
    for (int32_t b = start; b < at; ++b) {
      out.folded.push_back(in[static_cast<size_t>(b)]);
      out.foldedOffsets.push_back(text.foldedOffsets[static_cast<size_t>(b)]);
    }
  }
  if (!removed) return std::nullopt;
  if (!out.folded.empty() && out.folded.back() == ' ') {
    out.folded.pop_back();
    out.foldedOffsets.pop_back();
  }
  out.foldedOffsets.push_back(text.foldedOffsets.back());
  withoutDerivedViews(out);
  return out;
}

std::optional<NormalizedText> joinedRead(const NormalizedText& text) {
  const size_t gaps = text.folded.size() - std::min(text.folded.size(), text.joined.size());
  if (gaps < kMinJoinedGaps || gaps * kJoinedShare < text.folded.size()) return std::nullopt;
  NormalizedText out;
  out.folded = text.joined;
  withoutDerivedViews(out);
  return out;
}

NormalizedText segmentRead(const DecodedSegment& segment) {
  NormalizedText out;
  out.folded = segment.folded;
  out.leet = segment.leet;
  out.joined = segment.joined;
  return out;
}

}  // namespace warden::validation
