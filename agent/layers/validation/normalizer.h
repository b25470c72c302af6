// Text as the layer-1 detectors see it. Prompt injections hide behind
// invisible characters, look-alike letters, leetspeak, split letters and
// encodings; every detector scans the views below instead of the raw text, so
// one rule ("ignore previous instructions") catches all of those variants.
//
// normalize() never fails: invalid UTF-8 becomes U+FFFD and is counted, and
// all work is bounded by NormalizeLimits whatever the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::validation {

struct NormalizeLimits {
  // Bytes of one text that are scanned; the rest is counted in notScannedBytes.
  size_t maxInputBytes = 1 << 20;
  // Decoding levels: 1 decodes runs in the text, 2 also runs inside those
  // decodings (base64 of base64), and so on.
  size_t maxDepth = 3;
  // All decoded segments of one text together; runs past it are not decoded.
  size_t maxDecodedBytes = 256 * 1024;
  size_t maxSegments = 64;
  // Shorter base64/hex runs are ordinary words and identifiers.
  size_t minEncodedRun = 16;
};

struct NormalizeCounts {
  size_t zeroWidth = 0;  // zero-width and other default-ignorable characters
  size_t bidi = 0;       // bidi marks, embeddings, overrides, isolates
  size_t variationSelectors = 0;
  size_t tagCharacters = 0;      // U+E0000..U+E007F
  size_t confusablesFolded = 0;  // non-ASCII characters folded to ASCII look-alikes
  size_t invalidUtf8 = 0;        // bytes replaced by U+FFFD
  size_t notScannedBytes = 0;    // past NormalizeLimits::maxInputBytes
  size_t segmentsNotDecoded = 0; // encoded runs skipped because a bound was reached
};

enum class Encoding { TagCharacters, VariationSelectors, Base64, Hex, Percent, Rot13 };

std::string_view encodingName(Encoding encoding);

// Bytes [offset, offset + length) of the original text.
struct Span {
  size_t offset = 0;
  size_t length = 0;
};

// Text found hidden or encoded in the original, normalised like the original.
struct DecodedSegment {
  Encoding encoding = Encoding::Base64;
  size_t depth = 1;  // 1: found in the text itself; 2: inside a depth-1 segment...
  Span original;     // where the outermost encoded run is in the original text
  std::string folded;
  std::string leet;
  std::string joined;
};

struct NormalizedText {
  // NFKC, invisibles removed, confusables folded to ASCII, whitespace runs
  // collapsed to one space, case folded.
  std::string folded;
  // Original byte offset of each byte of folded, plus one entry for the end.
  std::vector<uint32_t> foldedOffsets;
  // folded with leetspeak digits and symbols read as letters (0->o, 1->i,
  // 3->e, 4->a, 5->s, 7->t, @->a, $->s...). Same length as folded, so
  // foldedOffsets serves it too.
  std::string leet;
  // folded with runs of single letters joined ("i g n o r e" -> "ignore").
  std::string joined;
  std::vector<uint32_t> joinedOffsets;
  std::vector<DecodedSegment> decoded;
  // ASCII spelled in tag characters (U+E0020..U+E007E), all runs together.
  std::string smuggled;
  // The whole original (also past maxInputBytes) as valid UTF-8 without tag
  // characters, variation-selector runs, bidi embeddings/overrides/isolates
  // and zero-width characters inside ASCII words: what a "sanitize" verdict
  // forwards.
  std::string sanitized;
  NormalizeCounts counts;

  // The original bytes a match on folded[begin, end) (or leet) came from.
  Span originalSpanOfFolded(size_t begin, size_t end) const;
  Span originalSpanOfJoined(size_t begin, size_t end) const;
};

NormalizedText normalize(std::string_view utf8, const NormalizeLimits& limits = {});

}  // namespace warden::validation
