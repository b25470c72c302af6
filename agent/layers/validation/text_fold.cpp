#include "layers/validation/text_fold.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/log.h"
#include "layers/validation/confusable_fold.h"

namespace warden::validation {
namespace {

bool asciiSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Appends folded characters, collapsing whitespace runs into one space that
// points at the first whitespace character of its run.
class FoldWriter {
 public:
  FoldWriter(FoldedText& out, size_t maxBytes) : out_(out), maxBytes_(maxBytes) {}

  bool full() const { return out_.text.size() >= maxBytes_; }

  void space(uint32_t origin) {
    if (!pendingSpace_) pendingOrigin_ = origin;
    pendingSpace_ = true;
  }

  void append(std::string_view bytes, uint32_t origin) {
    if (pendingSpace_ && !out_.text.empty()) push(' ', pendingOrigin_);
    pendingSpace_ = false;
    for (char c : bytes) push(c, origin);
  }

  bool lastIsAsciiLetter() const {
    if (out_.text.empty() || pendingSpace_) return false;
    const unsigned char c = static_cast<unsigned char>(out_.text.back());
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  void finish(uint32_t end) { out_.offsets.push_back(end); }

 private:
  void push(char c, uint32_t origin) {
    out_.text.push_back(c);
    out_.offsets.push_back(origin);
  }

  FoldedText& out_;
  size_t maxBytes_;
  bool pendingSpace_ = false;
  uint32_t pendingOrigin_ = 0;
};

// Most prompts: one pass writing into presized buffers.
void foldAscii(std::string_view clean, const std::vector<uint32_t>& offsets, size_t maxBytes, FoldedText& out) {
  const size_t limit = std::min(clean.size(), maxBytes);
  out.text.resize(limit);
  out.offsets.resize(limit);
  size_t written = 0;
  bool pendingSpace = false;
  uint32_t pendingOrigin = 0;
  for (size_t i = 0; i < clean.size() && written < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(clean[i]);
    if (asciiSpace(c)) {
      if (!pendingSpace) pendingOrigin = offsets[i];
      pendingSpace = true;
      continue;
    }
    if (c < 0x20 || c == 0x7F) continue;
    if (pendingSpace && written > 0) {
      out.text[written] = ' ';
      out.offsets[written++] = pendingOrigin;
      if (written == limit) break;
    }
    pendingSpace = false;
    out.text[written] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    out.offsets[written++] = offsets[i];
  }
  out.text.resize(written);
  out.offsets.resize(written);
}

// NFKC of the whole text in one call, with the edits that say which source
// bytes each output byte came from.
bool nfkc(std::string_view clean, std::string& normalized, std::vector<uint32_t>& toClean) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return false;
  icu::Edits edits;
  icu::StringByteSink<std::string> sink(&normalized, static_cast<int32_t>(clean.size()));
  normalizer->normalizeUTF8(0, icu::StringPiece(clean.data(), static_cast<int32_t>(clean.size())), sink, &edits,
                            status);
  if (U_FAILURE(status)) return false;
  toClean.assign(normalized.size() + 1, static_cast<uint32_t>(clean.size()));
  icu::Edits::Iterator it = edits.getFineIterator();
  while (it.next(status)) {
    const auto dest = static_cast<size_t>(it.destinationIndex());
    const auto source = static_cast<uint32_t>(it.sourceIndex());
    for (int32_t k = 0; k < it.newLength() && dest + k < normalized.size(); ++k) {
      toClean[dest + k] = it.hasChange() ? source : source + static_cast<uint32_t>(k);
    }
  }
  return U_SUCCESS(status);
}

void foldUnicode(std::string_view clean, const std::vector<uint32_t>& offsets, FoldWriter& writer,
                 size_t& confusables) {
  std::string normalized;
  std::vector<uint32_t> toClean;
  if (!nfkc(clean, normalized, toClean)) {
    logger("validation")->warn("NFKC normalisation failed; folding the text without it");
    normalized.assign(clean);
    toClean.resize(clean.size() + 1);
    for (size_t i = 0; i < toClean.size(); ++i) toClean[i] = static_cast<uint32_t>(i);
  }
  const int32_t length = static_cast<int32_t>(normalized.size());
  for (int32_t at = 0; at < length && !writer.full();) {
    const int32_t start = at;
    UChar32 c = 0;
    U8_NEXT(normalized.data(), at, length, c);
    const uint32_t origin = offsets[toClean[static_cast<size_t>(start)]];
    if (c < 0x80 && c >= 0) {
      const unsigned char b = static_cast<unsigned char>(c);
      if (asciiSpace(b)) {
        writer.space(origin);
      } else if (b >= 0x20 && b != 0x7F) {
        const char lower = static_cast<char>(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
        writer.append(std::string_view(&lower, 1), origin);
      }
      continue;
    }
    if (c < 0 || u_isUWhiteSpace(c)) {
      if (c >= 0) writer.space(origin);
      continue;
    }
    const int8_t type = u_charType(c);
    if (type == U_CONTROL_CHAR) continue;
    // Accents stacked on ASCII letters ("i\u0307gnore") hide words as well
    // as look-alike letters do.
    if (type == U_NON_SPACING_MARK && writer.lastIsAsciiLetter()) {
      ++confusables;
      continue;
    }
    const CharFold& fold = foldCharacter(c);
    if (fold.confusable) ++confusables;
    writer.append(fold.text, origin);
  }
}

}  // namespace

FoldedText foldText(std::string_view clean, const std::vector<uint32_t>& offsets, bool ascii, size_t maxBytes) {
  FoldedText out;
  out.text.reserve(std::min(clean.size(), maxBytes) + 16);
  out.offsets.reserve(std::min(clean.size(), maxBytes) + 17);
  if (ascii) {
    foldAscii(clean, offsets, maxBytes, out);
    out.offsets.push_back(offsets.back());
    return out;
  }
  FoldWriter writer(out, maxBytes);
  foldUnicode(clean, offsets, writer, out.confusablesFolded);
  writer.finish(offsets.back());
  return out;
}

}  // namespace warden::validation
