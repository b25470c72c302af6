#include "layers/validation/normalizer.h"

#include <algorithm>

#include "layers/validation/encoded_runs.h"
#include "layers/validation/invisible_filter.h"
#include "layers/validation/joined_view.h"
#include "layers/validation/leet_view.h"
#include "layers/validation/rot13_runs.h"
#include "layers/validation/text_fold.h"
#include "layers/validation/text_likeness.h"

namespace warden::validation {
namespace {

// Offsets are 32-bit; a text is scanned in pieces far smaller than that.
constexpr size_t kMaxScanBytes = size_t{1} << 31;
// Past this every level only adds stack; the byte budget ends far sooner.
constexpr size_t kMaxDepth = 16;

// Cuts at a character boundary, so the cut does not count as invalid UTF-8.
size_t scanLength(std::string_view input, size_t cap) {
  cap = std::min(cap, kMaxScanBytes);
  if (input.size() <= cap) return input.size();
  size_t length = cap;
  for (int i = 0; i < 3 && length > 0 && (static_cast<unsigned char>(input[length]) & 0xC0) == 0x80; ++i) {
    --length;
  }
  return length;
}

// NFKC expands some characters many times over (U+FDFA is 18 letters);
// views stay within a fixed multiple of what was scanned.
size_t maxViewBytes(size_t scanned) { return 4 * scanned + 64; }

Span spanBetween(const std::vector<uint32_t>& offsets, size_t begin, size_t end) {
  if (offsets.empty()) return {};
  const size_t last = offsets.size() - 1;
  begin = std::min(begin, last);
  end = std::clamp(end, begin, last);
  if (end == begin) return Span{offsets[begin], 0};
  // Several bytes can come from one character ("ﬁ" -> "fi"): the span ends
  // after the character the last matched byte came from.
  size_t next = end;
  while (next < last && offsets[next] == offsets[end - 1]) ++next;
  return Span{offsets[begin], offsets[next] - offsets[begin]};
}

class Normalizer {
 public:
  explicit Normalizer(const NormalizeLimits& limits)
      : limits_(limits),
        maxDepth_(std::min(limits.maxDepth, kMaxDepth)),
        budget_{limits.maxDecodedBytes, limits.maxSegments, 0} {}

  NormalizedText run(std::string_view input) {
    NormalizedText out;
    const size_t scanned = scanLength(input, limits_.maxInputBytes);
    CleanText clean = filterInvisibles(input, scanned);
    FoldedText folded = foldText(clean.text, clean.offsets, clean.ascii, maxViewBytes(scanned));
    out.counts = clean.counts;
    out.counts.confusablesFolded = folded.confusablesFolded;
    out.counts.notScannedBytes = input.size() - scanned;
    out.leet = leetView(folded.text);
    JoinedText joined = joinSplitLetters(folded.text, folded.offsets);
    for (const HiddenRun& run : clean.hidden) {
      if (run.encoding == Encoding::TagCharacters) out.smuggled += run.bytes;
    }
    decodeInside(clean, folded, 0, nullptr, false, out.decoded);
    out.counts.segmentsNotDecoded = budget_.skipped;
    out.folded = std::move(folded.text);
    out.foldedOffsets = std::move(folded.offsets);
    out.joined = std::move(joined.text);
    out.joinedOffsets = std::move(joined.offsets);
    out.sanitized = std::move(clean.sanitized);
    return out;
  }

 private:
  // Segments hidden or encoded in a text at `depth` (0: the original). Deeper
  // segments report the span of the outermost run they were found in.
  void decodeInside(const CleanText& clean, const FoldedText& folded, size_t depth, const Span* outer,
                    bool isRot13, std::vector<DecodedSegment>& out) {
    if (depth >= maxDepth_) return;
    for (const HiddenRun& run : clean.hidden) {
      if (run.encoding == Encoding::VariationSelectors && !looksLikeText(run.bytes)) continue;
      addSegment(run.bytes, run.encoding, depth + 1, outer ? *outer : run.original, out);
    }
    for (const EncodedRun& run : findEncodedRuns(clean.text, limits_.minEncodedRun, budget_)) {
      const Span span = outer ? *outer : spanBetween(clean.offsets, run.begin, run.end);
      addDecoded(run.decoded, run.encoding, depth + 1, span, out);
    }
    if (isRot13) return;  // rot13 of rot13 is where it came from
    for (const Rot13Run& run : findRot13Runs(folded.text)) {
      const size_t granted = budget_.take(run.decoded.size());
      if (granted == 0) break;
      const Span span = outer ? *outer : spanBetween(folded.offsets, run.begin, run.end);
      addDecoded(std::string_view(run.decoded).substr(0, granted), Encoding::Rot13, depth + 1, span, out);
    }
  }

  void addSegment(std::string_view bytes, Encoding encoding, size_t depth, Span span,
                  std::vector<DecodedSegment>& out) {
    const size_t granted = budget_.take(bytes.size());
    if (granted == 0) return;
    addDecoded(bytes.substr(0, granted), encoding, depth, span, out);
  }

  // `bytes` is already paid for from the budget.
  void addDecoded(std::string_view bytes, Encoding encoding, size_t depth, Span span,
                  std::vector<DecodedSegment>& out) {
    CleanText clean = filterInvisibles(bytes, bytes.size());
    FoldedText folded = foldText(clean.text, clean.offsets, clean.ascii, maxViewBytes(bytes.size()));
    DecodedSegment segment;
    segment.encoding = encoding;
    segment.depth = depth;
    segment.original = span;
    segment.leet = leetView(folded.text);
    segment.joined = joinSplitLetters(folded.text, folded.offsets).text;
    segment.folded = folded.text;
    out.push_back(std::move(segment));
    decodeInside(clean, folded, depth, &span, encoding == Encoding::Rot13, out);
  }

  const NormalizeLimits& limits_;
  size_t maxDepth_;
  DecodeBudget budget_;
};

}  // namespace

std::string_view encodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::TagCharacters: return "tag_characters";
    case Encoding::VariationSelectors: return "variation_selectors";
    case Encoding::Base64: return "base64";
    case Encoding::Hex: return "hex";
    case Encoding::Percent: return "percent";
    case Encoding::Rot13: return "rot13";
  }
  return "unknown";
}

Span NormalizedText::originalSpanOfFolded(size_t begin, size_t end) const {
  return spanBetween(foldedOffsets, begin, end);
}

Span NormalizedText::originalSpanOfJoined(size_t begin, size_t end) const {
  return spanBetween(joinedOffsets, begin, end);
}

NormalizedText normalize(std::string_view utf8, const NormalizeLimits& limits) {
  return Normalizer(limits).run(utf8);
}

}  // namespace warden::validation
