#include "layers/validation/invisible_filter.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <numeric>

namespace warden::validation {
namespace {

constexpr UChar32 kReplacement = 0xFFFD;
constexpr UChar32 kBlackFlag = 0x1F3F4;  // base of the tag-spelled subdivision flags
constexpr UChar32 kCancelTag = 0xE007F;

bool isTag(UChar32 c) { return c >= 0xE0000 && c <= 0xE007F; }

bool isVariationSelector(UChar32 c) {
  return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) || (c >= 0x180B && c <= 0x180D) ||
         c == 0x180F;
}

// Embeddings, overrides and isolates reorder what follows them (Trojan
// Source); the marks only nudge neutral characters.
bool isBidiFormatting(UChar32 c) { return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069); }
bool isBidiMark(UChar32 c) { return c == 0x200E || c == 0x200F || c == 0x061C; }

// The "emoji smuggling" encoding: one byte per selector.
int variationSelectorByte(UChar32 c) {
  if (c >= 0xFE00 && c <= 0xFE0F) return static_cast<int>(c - 0xFE00);
  if (c >= 0xE0100 && c <= 0xE01EF) return static_cast<int>(c - 0xE0100 + 16);
  return -1;
}

bool highBytesIn(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

void appendUtf8(std::string& out, UChar32 c) {
  char buf[4];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(buf, len, 4, c, error);
  if (!error) out.append(buf, static_cast<size_t>(len));
}

enum class Kind { Visible, Tag, VariationSelector, BidiFormatting, BidiMark, Invisible };

Kind classify(UChar32 c) {
  if (c < 0x80) return Kind::Visible;
  if (isTag(c)) return Kind::Tag;
  if (isVariationSelector(c)) return Kind::VariationSelector;
  if (isBidiFormatting(c)) return Kind::BidiFormatting;
  if (isBidiMark(c)) return Kind::BidiMark;
  if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) return Kind::Invisible;
  return Kind::Visible;
}

class Filter {
 public:
  Filter(std::string_view input, size_t scanBytes) : input_(input), scanBytes_(scanBytes) {}

  CleanText run() {
    out_.text.reserve(scanBytes_);
    out_.offsets.reserve(scanBytes_ + 1);
    out_.sanitized.reserve(input_.size());
    size_t at = 0;
    while (at < input_.size()) {
      if (static_cast<unsigned char>(input_[at]) < 0x80) {
        at = keepAsciiRun(at);
        continue;
      }
      const size_t start = at;
      UChar32 c = 0;
      U8_NEXT(input_.data(), at, input_.size(), c);
      const bool scanned = start < scanBytes_;
      if (c < 0) {
        if (scanned) out_.counts.invalidUtf8 += at - start;
        c = kReplacement;
      }
      onCodePoint(c, start, at, scanned);
    }
    closeRun();
    out_.offsets.push_back(static_cast<uint32_t>(scanBytes_));
    return std::move(out_);
  }

 private:
  void onCodePoint(UChar32 c, size_t start, size_t end, bool scanned) {
    const Kind kind = classify(c);
    if (kind != runKind_) closeRun();
    switch (kind) {
      case Kind::Visible:
        keep(c, start, scanned);
        return;
      case Kind::Tag:
        if (scanned) ++out_.counts.tagCharacters;
        openRun(Kind::Tag, start);
        runEnd_ = end;
        addToRun(c);
        if (c >= 0xE0020 && c <= 0xE007E && scanned) runBytes_.push_back(static_cast<char>(c - 0xE0000));
        return;
      case Kind::VariationSelector:
        if (scanned) ++out_.counts.variationSelectors;
        openRun(Kind::VariationSelector, start);
        runEnd_ = end;
        // The first selector after a character is how emoji choose their
        // presentation; only a second one in a row is never needed.
        if (runCount_ == 0 && previousKept_ >= 0) appendUtf8(out_.sanitized, c);
        addToRun(c);
        if (const int byte = variationSelectorByte(c); byte >= 0 && scanned) {
          runBytes_.push_back(static_cast<char>(byte));
        }
        return;
      case Kind::BidiFormatting:
        if (scanned) ++out_.counts.bidi;
        return;
      case Kind::BidiMark:
        if (scanned) ++out_.counts.bidi;
        appendUtf8(out_.sanitized, c);
        return;
      case Kind::Invisible:
        if (scanned) ++out_.counts.zeroWidth;
        // Joiners belong inside emoji sequences and Indic, Thai or Persian
        // words; inside ASCII words they only hide the word from filters.
        if (previousKept_ >= 0x80) appendUtf8(out_.sanitized, c);
        return;
    }
  }

  void keep(UChar32 c, size_t start, bool scanned) {
    if (scanned) {
      appendUtf8(out_.text, c);
      out_.offsets.resize(out_.text.size(), static_cast<uint32_t>(start));
      if (c >= 0x80) out_.ascii = false;
    }
    appendUtf8(out_.sanitized, c);
    previousKept_ = c;
  }

  // Most of a text with some non-ASCII in it is still ASCII: a run of it is
  // kept in bulk. Returns where the run ends.
  size_t keepAsciiRun(size_t at) {
    closeRun();
    size_t end = at;
    while (end < input_.size() && static_cast<unsigned char>(input_[end]) < 0x80) ++end;
    const size_t scannedEnd = std::min(end, scanBytes_);
    if (at < scannedEnd) {
      out_.text.append(input_.data() + at, scannedEnd - at);
      const size_t before = out_.offsets.size();
      out_.offsets.resize(before + (scannedEnd - at));
      std::iota(out_.offsets.begin() + static_cast<std::ptrdiff_t>(before), out_.offsets.end(),
                static_cast<uint32_t>(at));
    }
    out_.sanitized.append(input_.data() + at, end - at);
    previousKept_ = static_cast<unsigned char>(input_[end - 1]);
    return end;
  }

  void openRun(Kind kind, size_t start) {
    if (runKind_ == kind) return;
    runKind_ = kind;
    runStart_ = start;
    runScanned_ = start < scanBytes_;
    runCount_ = 0;
    runBytes_.clear();
  }

  void addToRun(UChar32 c) {
    if (runCount_ < runFirst_.size()) runFirst_[runCount_] = c;
    ++runCount_;
    runLast_ = c;
  }

  void closeRun() {
    if (runKind_ == Kind::Tag) {
      closeTagRun();
    } else if (runKind_ == Kind::VariationSelector) {
      closeSelectorRun();
    }
    runKind_ = Kind::Visible;
    runCount_ = 0;
    runBytes_.clear();
  }

  // A black flag followed by tags and a cancel tag is a subdivision flag
  // (England, Scotland, Wales): an emoji, not a message.
  bool isSubdivisionFlag() const {
    return previousKept_ == kBlackFlag && runCount_ <= runFirst_.size() && runLast_ == kCancelTag;
  }

  void closeTagRun() {
    if (isSubdivisionFlag()) {
      for (size_t i = 0; i < runCount_; ++i) appendUtf8(out_.sanitized, runFirst_[i]);
      return;
    }
    if (!runScanned_ || runBytes_.empty()) return;
    out_.hidden.push_back(HiddenRun{Encoding::TagCharacters, Span{runStart_, runEnd_ - runStart_}, runBytes_});
  }

  void closeSelectorRun() {
    if (!runScanned_ || runCount_ < 2) return;
    out_.hidden.push_back(HiddenRun{Encoding::VariationSelectors, Span{runStart_, runEnd_ - runStart_}, runBytes_});
  }

  std::string_view input_;
  size_t scanBytes_;
  CleanText out_;
  UChar32 previousKept_ = -1;
  Kind runKind_ = Kind::Visible;
  size_t runStart_ = 0;
  size_t runEnd_ = 0;
  bool runScanned_ = false;
  size_t runCount_ = 0;
  std::array<UChar32, 8> runFirst_{};  // enough to re-emit a subdivision flag
  UChar32 runLast_ = 0;
  std::string runBytes_;
};

}  // namespace

CleanText filterInvisibles(std::string_view input, size_t scanBytes) {
  if (!highBytesIn(input)) {
    // Most prompts: nothing to decode or remove.
    CleanText out;
    out.text.assign(input.substr(0, scanBytes));
    out.offsets.resize(scanBytes + 1);
    std::iota(out.offsets.begin(), out.offsets.end(), 0u);
    out.sanitized.assign(input);
    return out;
  }
  return Filter(input, scanBytes).run();
}

}  // namespace warden::validation
