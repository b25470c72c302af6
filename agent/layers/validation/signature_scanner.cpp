#include "layers/validation/signature_scanner.h"

#include <hs/hs.h>

#include <algorithm>

namespace warden::validation {
namespace {

constexpr uint8_t kPlainViews = bitOf(RuleView::Folded) | bitOf(RuleView::Leet) | bitOf(RuleView::Joined);

// One scratch per thread, grown to fit every database the thread has used:
// Vectorscan scratch must not be shared between threads, and allocating it
// per scan would cost more than the scan.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::vector<uint64_t> sizedFor;

  ~ThreadScratch() { hs_free_scratch(scratch); }

  hs_scratch_t* forSet(const RuleSet& set) {
    if (std::find(sizedFor.begin(), sizedFor.end(), set.generation()) != sizedFor.end()) return scratch;
    if (hs_alloc_scratch(set.database(), &scratch) != HS_SUCCESS) return nullptr;
    if (hs_alloc_scratch(set.screenDatabase(), &scratch) != HS_SUCCESS) return nullptr;
    if (sizedFor.size() >= 16) sizedFor.clear();  // only a cache: a miss re-checks the size
    sizedFor.push_back(set.generation());
    return scratch;
  }
};

thread_local ThreadScratch threadScratch;

// Which text a pass scans, so a hit can be mapped back to the original.
enum class Pass { Folded, Leet, Joined, Segment };

struct Hit {
  bool found = false;
  Pass pass = Pass::Folded;
  RuleView subview = RuleView::Folded;
  const DecodedSegment* segment = nullptr;
  size_t from = 0;
  size_t to = 0;
};

struct ScanContext {
  const RuleSet* set = nullptr;
  uint8_t partBit = 0;
  Pass pass = Pass::Folded;
  RuleView subview = RuleView::Folded;
  const DecodedSegment* segment = nullptr;
  std::vector<Hit>* hits = nullptr;
  // Screening: per rule, where its first match in this view ends (kNone: no
  // match); the rules with one, in order of discovery.
  std::vector<size_t>* firstEnd = nullptr;
  std::vector<size_t>* matched = nullptr;
  // Span pass over a window: where the window starts in the view.
  size_t windowBegin = 0;
};

constexpr size_t kNone = static_cast<size_t>(-1);

bool ruleApplies(const Rule& rule, const ScanContext& c) {
  if (!(rule.scope & c.partBit)) return false;
  if (c.pass != Pass::Segment) return rule.views & bitOf(c.subview);
  // In decoded text a rule runs on the sub-views it selects, or on all of
  // them when it names only "decoded".
  if (!(rule.views & bitOf(RuleView::Decoded))) return false;
  return (rule.views & bitOf(c.subview)) || !(rule.views & kPlainViews);
}

// The screening pass: which rules that apply here match in this view, and
// where each first match ends. Without start-of-match tracking, several
// times faster than the span pass.
int onScreenMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
                  void* ctx) {
  auto& c = *static_cast<ScanContext*>(ctx);
  const size_t r = c.set->ruleOfPattern(id);
  if ((*c.hits)[r].found || !ruleApplies(c.set->rules()[r], c)) return 0;
  size_t& end = (*c.firstEnd)[r];
  if (end == kNone) c.matched->push_back(r);
  end = std::min(end, static_cast<size_t>(to));
  return 0;
}

// The span pass: start-of-match tracking, over a window of the view ending
// where screening saw a rule's first match end. A match that starts at the
// window's first byte may have been cut by it (a \b the view does not have
// there): it is left to the whole-view pass.
int onWindowMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/,
                  void* ctx) {
  auto& c = *static_cast<ScanContext*>(ctx);
  const size_t r = c.set->ruleOfPattern(id);
  Hit& hit = (*c.hits)[r];
  const size_t end = c.windowBegin + static_cast<size_t>(to);
  if (hit.found || (*c.firstEnd)[r] != end) return 0;
  if (from == 0 && c.windowBegin > 0) return 0;
  hit = Hit{true, c.pass, c.subview, c.segment, c.windowBegin + static_cast<size_t>(from), end};
  return 0;
}

// The whole-view span pass, for matches longer than a window.
int onMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto& c = *static_cast<ScanContext*>(ctx);
  const size_t r = c.set->ruleOfPattern(id);
  Hit& hit = (*c.hits)[r];
  // Matches arrive by end offset, so the first hit of a rule is the one to keep.
  if (hit.found || (*c.firstEnd)[r] == kNone) return 0;
  hit = Hit{true, c.pass, c.subview, c.segment, static_cast<size_t>(from), static_cast<size_t>(to)};
  return 0;
}

// Rule matches are phrases; a window this long holds all but the longest.
constexpr size_t kSpanWindow = 512;

// Spans of the rules screening found in `view`: the windows before their
// first match ends, merged where they overlap, then the whole view for any
// match that did not fit.
hs_error_t findSpans(const std::string& view, ScanContext& c, hs_scratch_t* scratch) {
  std::vector<size_t>& matched = *c.matched;
  std::vector<size_t>& firstEnd = *c.firstEnd;
  std::sort(matched.begin(), matched.end(), [&](size_t a, size_t b) { return firstEnd[a] < firstEnd[b]; });
  hs_error_t rc = HS_SUCCESS;
  for (size_t i = 0; i < matched.size() && rc == HS_SUCCESS;) {
    const size_t begin = firstEnd[matched[i]] > kSpanWindow ? firstEnd[matched[i]] - kSpanWindow : 0;
    size_t end = firstEnd[matched[i]];
    for (++i; i < matched.size() && firstEnd[matched[i]] <= end + kSpanWindow; ++i) end = firstEnd[matched[i]];
    c.windowBegin = begin;
    rc = hs_scan(c.set->database(), view.data() + begin, static_cast<unsigned>(end - begin), 0, scratch,
                 onWindowMatch, &c);
  }
  const bool unresolved = std::any_of(matched.begin(), matched.end(), [&](size_t r) { return !(*c.hits)[r].found; });
  if (rc == HS_SUCCESS && unresolved) {
    rc = hs_scan(c.set->database(), view.data(), static_cast<unsigned>(view.size()), 0, scratch, onMatch, &c);
  }
  for (const size_t r : matched) firstEnd[r] = kNone;
  matched.clear();
  return rc;
}

Span originalSpan(const NormalizedText& text, const Hit& hit) {
  switch (hit.pass) {
    case Pass::Folded:
    case Pass::Leet: return text.originalSpanOfFolded(hit.from, hit.to);
    case Pass::Joined: return text.originalSpanOfJoined(hit.from, hit.to);
    case Pass::Segment: return hit.segment->original;
  }
  return {};
}

}  // namespace

SignatureScanner::SignatureScanner(std::shared_ptr<const RuleSet> rules, SignatureScanLimits limits)
    : rules_(std::move(rules)), limits_(limits) {}

Result<std::vector<SignatureDetection>> SignatureScanner::scan(const NormalizedText& text, MessagePart part) const {
  hs_scratch_t* scratch = threadScratch.forSet(*rules_);
  if (!scratch) return Error{"signature scan: cannot allocate Vectorscan scratch (out of memory?)"};
  std::vector<Hit> hits(rules_->rules().size());
  std::vector<size_t> firstEnd(hits.size(), kNone);
  std::vector<size_t> matched;
  ScanContext c{rules_.get(), bitOf(part), Pass::Folded, RuleView::Folded, nullptr, &hits, &firstEnd, &matched, 0};
  hs_error_t rc = HS_SUCCESS;
  const auto run = [&](const std::string& view, Pass pass, RuleView subview, const DecodedSegment* segment) {
    if (rc != HS_SUCCESS || view.empty()) return;
    c.pass = pass;
    c.subview = subview;
    c.segment = segment;
    rc = hs_scan(rules_->screenDatabase(), view.data(), static_cast<unsigned>(view.size()), 0, scratch,
                 onScreenMatch, &c);
    if (rc == HS_SUCCESS && !matched.empty()) rc = findSpans(view, c, scratch);
  };
  run(text.folded, Pass::Folded, RuleView::Folded, nullptr);
  // Most prompts have no leetspeak or split letters: those views then equal
  // folded and would only repeat its matches.
  if (text.leet != text.folded) run(text.leet, Pass::Leet, RuleView::Leet, nullptr);
  if (text.joined != text.folded) run(text.joined, Pass::Joined, RuleView::Joined, nullptr);
  for (const DecodedSegment& segment : text.decoded) {
    run(segment.folded, Pass::Segment, RuleView::Folded, &segment);
    if (segment.leet != segment.folded) run(segment.leet, Pass::Segment, RuleView::Leet, &segment);
    if (segment.joined != segment.folded) run(segment.joined, Pass::Segment, RuleView::Joined, &segment);
  }
  if (rc != HS_SUCCESS) return Error{"signature scan: Vectorscan error " + std::to_string(rc)};

  std::vector<SignatureDetection> detections;
  for (size_t r = 0; r < hits.size(); ++r) {
    const Hit& hit = hits[r];
    if (!hit.found) continue;
    const Rule& rule = rules_->rules()[r];
    SignatureDetection d;
    d.ruleId = rule.id;
    d.category = rule.category;
    d.severity = rule.severity;
    d.score = rule.score;
    d.view = hit.pass == Pass::Segment ? RuleView::Decoded : hit.subview;
    if (hit.segment) d.encoding = hit.segment->encoding;
    d.span = originalSpan(text, hit);
    detections.push_back(std::move(d));
  }
  std::sort(detections.begin(), detections.end(), [](const SignatureDetection& a, const SignatureDetection& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.span.offset < b.span.offset;
  });
  if (detections.size() > limits_.maxDetections) detections.resize(limits_.maxDetections);
  return detections;
}

}  // namespace warden::validation
