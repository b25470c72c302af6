// libFuzzer target for the layer-1 normaliser: every prompt an application
// sends reaches it, so whatever the bytes it must return valid UTF-8, stay
// within its bounds and point only inside the original.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "layers/validation/normalizer.h"

namespace {

using warden::validation::NormalizedText;
using warden::validation::NormalizeLimits;
using warden::validation::Span;

void check(bool ok) {
  if (!ok) std::abort();
}

bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t n = 0;
    if (c < 0x80) {
      n = 1, cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = cp << 6 | (t & 0x3F);
    }
    const uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

bool inside(const Span& span, size_t size) { return span.offset <= size && span.length <= size - span.offset; }

void checkOffsets(const std::vector<uint32_t>& offsets, size_t viewSize, size_t scanned) {
  check(offsets.size() == viewSize + 1);
  for (size_t i = 0; i < offsets.size(); ++i) {
    check(offsets[i] <= scanned);
    if (i > 0) check(offsets[i - 1] <= offsets[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  NormalizeLimits limits;
  // Small bounds, so the fuzzer reaches them.
  limits.maxInputBytes = 4096;
  limits.maxDecodedBytes = 2048;
  limits.maxSegments = 16;
  limits.minEncodedRun = 8;
  const NormalizedText n = warden::validation::normalize(input, limits);

  const size_t scanned = size - n.counts.notScannedBytes;
  check(scanned <= limits.maxInputBytes && scanned + 3 >= std::min(size, limits.maxInputBytes));
  check(validUtf8(n.folded) && validUtf8(n.leet) && validUtf8(n.joined) && validUtf8(n.sanitized));
  check(n.folded.size() <= 4 * scanned + 64 + 64);
  check(n.leet.size() == n.folded.size() && n.joined.size() <= n.folded.size());
  check(n.sanitized.size() <= 3 * size);
  check(n.smuggled.size() <= scanned / 4);
  check(n.counts.invalidUtf8 <= scanned);
  checkOffsets(n.foldedOffsets, n.folded.size(), scanned);
  checkOffsets(n.joinedOffsets, n.joined.size(), scanned);
  check(inside(n.originalSpanOfFolded(0, n.folded.size()), size));
  check(n.decoded.size() <= limits.maxSegments);
  size_t decodedBytes = 0;
  for (const auto& segment : n.decoded) {
    check(segment.depth >= 1 && segment.depth <= limits.maxDepth);
    check(inside(segment.original, size));
    check(validUtf8(segment.folded) && validUtf8(segment.leet) && validUtf8(segment.joined));
    check(segment.leet.size() == segment.folded.size());
    decodedBytes += segment.folded.size();
  }
  // Folding can grow a decoded segment, never past the view bound.
  check(decodedBytes <= 4 * limits.maxDecodedBytes + 64 * n.decoded.size());
  // Deterministic: detectors may normalise the same text twice.
  const NormalizedText again = warden::validation::normalize(input, limits);
  check(again.folded == n.folded && again.sanitized == n.sanitized && again.decoded.size() == n.decoded.size());
  return 0;
}
