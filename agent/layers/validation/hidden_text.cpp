#include "layers/validation/hidden_text.h"

namespace warden::validation {
namespace {

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

HiddenText measureHiddenText(std::string_view original, const NormalizedText& text) {
  const NormalizeCounts& c = text.counts;
  HiddenText out;
  if (c.invalidUtf8 == 0) {
    // The sanitised copy is then the original with characters taken out, so
    // equal sizes mean nothing was hidden (the common case, no counting).
    if (text.sanitized.size() == original.size()) return out;
    out.totalChars = codePoints(original);
    out.hiddenChars = out.totalChars - codePoints(text.sanitized);
    return out;
  }
  // Replacement characters make the two copies incomparable; the
  // normaliser's counts (of the scanned part) are the next best measure.
  out.hiddenChars = c.tagCharacters + c.bidi + c.zeroWidth + (c.variationSelectors > 1 ? c.variationSelectors : 0);
  out.totalChars = codePoints(original);
  return out;
}

}  // namespace warden::validation
