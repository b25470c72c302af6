#include "layers/validation/prompt_inspector.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "layers/validation/alternate_readings.h"
#include "layers/validation/hidden_text.h"
#include "layers/validation/role_markers.h"
#include "layers/validation/signature_scanner.h"
#include "layers/validation/text_verdict_cache.h"

namespace warden::validation {
namespace {

// Identifies an inspector to the per-thread caches; never 0.
std::atomic<uint64_t> nextInspectorId{1};

// A request reports its strongest findings; the verdict still counts all.
constexpr size_t kMaxDetections = 64;
constexpr size_t kMaxRulesPerText = 16;
constexpr size_t kMaxRoleMarkers = 16;
// Smuggled characters alone: reported, and the text forwarded sanitised.
constexpr double kSmugglingScore = 0.6;
// Fake turn markers: a single one in user text is worth a flag, several (a
// forged dialogue) or any in a tool result more.
constexpr double kRoleMisuseScore = 0.6;
constexpr double kRoleMisuseStrongScore = 0.7;

struct Thresholds {
  double flag = 0;
  double block = 0;
};

bool isIndirect(MessagePart part) { return part == MessagePart::ToolResult || part == MessagePart::Retrieved; }

Thresholds injectionThresholds(const InspectorPolicy& p, MessagePart part) {
  if (isIndirect(part)) return {p.indirectFlagScore, p.indirectBlockScore};
  if (part == MessagePart::System) return {p.systemFlagScore, p.systemBlockScore};
  return {p.flagScore, p.blockScore};
}

Verdict verdictOf(double score, Thresholds t) {
  if (score >= t.block) return Verdict::Block;
  if (score >= t.flag) return Verdict::Flag;
  return Verdict::Allow;
}

std::string formatScore(double score) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", score);
  return buf;
}

std::string viewDetail(const SignatureDetection& d) {
  switch (d.view) {
    case RuleView::Folded:
      return "matched in the normalised text";
    case RuleView::Leet:
      return "matched with leetspeak read as letters";
    case RuleView::Joined:
      return "matched with split letters joined";
    case RuleView::Decoded:
      return "matched inside " + std::string(encodingName(d.encoding)) + "-encoded text";
  }
  return {};
}

// Collects findings; the verdict is kept over all of them, the list only
// over the strongest kMaxDetections.
class Findings {
 public:
  void add(Detection d) {
    verdict_ = std::max(verdict_, d.verdict);
    list_.push_back(std::move(d));
    if (list_.size() >= 4 * kMaxDetections) trim();
  }

  InspectionReport finish(std::vector<TextReport> texts) {
    trim();
    return InspectionReport{verdict_, std::move(list_), std::move(texts)};
  }

 private:
  static bool stronger(const Detection& a, const Detection& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.verdict != b.verdict) return a.verdict > b.verdict;
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.textIndex != b.textIndex) return a.textIndex < b.textIndex;
    return a.span.offset < b.span.offset;
  }

  void trim() {
    std::stable_sort(list_.begin(), list_.end(), stronger);
    if (list_.size() > kMaxDetections) list_.resize(kMaxDetections);
  }

  Verdict verdict_ = Verdict::Allow;
  std::vector<Detection> list_;
};

// One text's findings, before they join the request's.
struct TextFindings {
  std::vector<Detection> list;
  void add(Detection d) { list.push_back(std::move(d)); }
};

Detection sizeDetection(size_t textIndex, MessagePart part, Span span, std::string detail) {
  Detection d;
  d.id = "struct.size";
  d.category = "size-limit";
  d.severity = Severity::High;
  d.score = 1.0;
  d.textIndex = textIndex;
  d.part = part;
  d.span = span;
  d.detail = std::move(detail);
  d.verdict = Verdict::Block;
  return d;
}

// Oversized requests are refused before any text is read: scanning them
// would only spend time on a request that is blocked anyway.
bool checkSizes(std::span<const InspectedText> texts, const InspectorPolicy& p, Findings& findings) {
  bool over = false;
  if (p.maxTexts && texts.size() > p.maxTexts) {
    findings.add(
        sizeDetection(0, MessagePart::User, {},
                      std::to_string(texts.size()) + " texts, more than the limit of " + std::to_string(p.maxTexts)));
    over = true;
  }
  size_t total = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const size_t size = texts[i].text.size();
    total += size;
    if (p.maxTextBytes && size > p.maxTextBytes) {
      findings.add(sizeDetection(
          i, texts[i].part, {0, size},
          "text of " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(p.maxTextBytes)));
      over = true;
    }
  }
  if (p.maxTotalBytes && total > p.maxTotalBytes) {
    findings.add(sizeDetection(
        0, MessagePart::User, {},
        std::to_string(total) + " bytes of text in all, more than the limit of " + std::to_string(p.maxTotalBytes)));
    over = true;
  }
  return over;
}

bool coveredByRule(const RoleMarker& m, const std::vector<SignatureDetection>& rules) {
  for (const SignatureDetection& d : rules) {
    if (d.category != "fake_role" && d.category != "delimiter_injection") continue;
    if (m.span.offset < d.span.offset + d.span.length && d.span.offset < m.span.offset + m.span.length) return true;
  }
  return false;
}

std::string_view roleName(MarkedRole role) {
  switch (role) {
    case MarkedRole::Privileged:
      return "system";
    case MarkedRole::Assistant:
      return "assistant";
    case MarkedRole::User:
      return "user";
  }
  return "unknown";
}

// Turn markers that claim a role the text does not have: user text posing
// as system or assistant turns; tool results and documents posing as any
// turn. System and assistant texts legitimately hold example dialogues.
void checkRoles(const InspectedText& t, const std::vector<SignatureDetection>& rules, const InspectorPolicy& p,
                TextFindings& findings) {
  if (t.part != MessagePart::User && !isIndirect(t.part)) return;
  size_t count = 0;
  Span first;
  std::string roles;
  for (const RoleMarker& m : findRoleMarkers(t.text, p.normalize.maxInputBytes, kMaxRoleMarkers)) {
    if (m.role == MarkedRole::User && !isIndirect(t.part)) continue;
    if (coveredByRule(m, rules)) continue;  // the rule already reported it
    if (count++ == 0) first = m.span;
    const std::string_view name = roleName(m.role);
    if (roles.find(name) == std::string::npos) roles += (roles.empty() ? "" : ", ") + std::string(name);
  }
  if (count == 0) return;
  const double score = count > 1 || isIndirect(t.part) ? kRoleMisuseStrongScore : kRoleMisuseScore;
  const Verdict verdict = verdictOf(score, injectionThresholds(p, t.part));
  if (verdict == Verdict::Allow) return;
  findings.add(Detection{"struct.role-misuse", "role-misuse", Severity::Medium, score, 0, t.part, first,
                         std::to_string(count) + " fake turn marker(s) at line starts (" + roles + ")", verdict});
}

std::string hiddenDetail(const NormalizedText& n, const HiddenText& hidden) {
  const NormalizeCounts& c = n.counts;
  std::string detail = std::to_string(hidden.hiddenChars) + " of " + std::to_string(hidden.totalChars) +
                       " characters hidden (" + std::to_string(c.tagCharacters) + " tag, " +
                       std::to_string(c.variationSelectors) + " variation selector, " + std::to_string(c.bidi) +
                       " bidi, " + std::to_string(c.zeroWidth) + " zero-width)";
  // Tag characters spell printable ASCII only, so this is safe to log.
  if (!n.smuggled.empty()) detail += "; tag characters spell \"" + n.smuggled.substr(0, 60) + "\"";
  return detail;
}

void checkHidden(const InspectedText& t, NormalizedText& n, const InspectorPolicy& p, TextReport& report,
                 TextFindings& findings) {
  const HiddenText hidden = measureHiddenText(t.text, n);
  if (!hidden.smuggling()) return;
  const Verdict atLeast = p.sanitizeSmuggling ? Verdict::Sanitize : Verdict::Flag;
  if (p.sanitizeSmuggling) {
    report.sanitizeNeeded = true;
    report.sanitized = std::move(n.sanitized);
  }
  const Span whole{0, t.text.size()};
  if (hidden.ratio() > p.hiddenTextRatio) {
    // Mostly invisible text has no honest reading: the more hidden, the
    // closer to a block.
    const double score = std::min(1.0, 0.5 + 0.5 * hidden.ratio());
    const Verdict verdict = std::max(atLeast, verdictOf(score, injectionThresholds(p, t.part)));
    findings.add(Detection{"struct.hidden-text", "hidden-text", Severity::High, score, 0, t.part, whole,
                           hiddenDetail(n, hidden), verdict});
    return;
  }
  findings.add(Detection{"struct.smuggling", "hidden-text", Severity::Medium, kSmugglingScore, 0, t.part, whole,
                         hiddenDetail(n, hidden), atLeast});
}

// A model's probability on the policy's scale. Training chose the model's
// threshold (its operating point, e.g. "1% false positives per source"); it
// lands on the policy's flag score, and the policy's thresholds then move
// every detector together. Piecewise linear, so the order of scores holds.
double onPolicyScale(double probability, double modelThreshold, double anchor) {
  if (modelThreshold <= 0 || modelThreshold >= 1 || modelThreshold == anchor) return probability;
  if (probability <= modelThreshold) return probability / modelThreshold * anchor;
  return anchor + (probability - modelThreshold) / (1 - modelThreshold) * (1 - anchor);
}

// The other readings of one text (alternate_readings.h), built once and
// shared by the rules and both models.
struct Readings {
  std::optional<NormalizedText> withoutPictographs;
  std::optional<NormalizedText> joined;
  std::vector<NormalizedText> segments;

  Readings(const NormalizedText& n, bool forModels) : withoutPictographs(validation::withoutPictographs(n)) {
    if (!forModels) return;
    joined = joinedRead(n);
    segments.reserve(n.decoded.size());
    for (const DecodedSegment& segment : n.decoded) segments.push_back(segmentRead(segment));
  }
};

struct ModelScore {
  double probability = -1;  // below any probability: the first reading scored wins
  std::string reading;
};

// A model to run on a text, and its best score over the readings so far.
struct ModelRun {
  const TextClassifier* model = nullptr;
  ModelScore best;
};

// Every model's highest probability over the text's readings: an obfuscated
// attack scores as high as its plain form would. Each reading is hashed once
// per table size and the models of that size share the features, so a second
// model costs its weight lookups only, and with `joint` (every run's model,
// in the runs' order) not even those.
void scoreReadings(std::span<ModelRun> runs, const JointScorer* joint, const NormalizedText& n, const Readings& r) {
  thread_local FeatureHashes features;
  // The joint scorer's models must be the runs' own, in their order.
  bool sameModels = joint != nullptr && joint->size() == runs.size();
  for (size_t k = 0; sameModels && k < runs.size(); ++k) sameModels = runs[k].model == joint->model(k);
  if (!sameModels) joint = nullptr;
  const auto consider = [&](const NormalizedText& reading, const auto& name) {
    if (joint != nullptr) {
      TextClassifier::hashFeatures(reading, joint->hashBits(), features);
      std::array<double, JointScorer::kMaxModels> p{};
      joint->score(features, p);
      for (size_t k = 0; k < runs.size(); ++k) {
        if (p[k] > runs[k].best.probability) runs[k].best = ModelScore{p[k], std::string(name)};
      }
      return;
    }
    uint32_t hashedFor = 0;  // no model has hashBits 0
    for (ModelRun& run : runs) {
      const uint32_t bits = run.model->info().hashBits;
      if (bits != hashedFor) {
        TextClassifier::hashFeatures(reading, bits, features);
        hashedFor = bits;
      }
      const double p = run.model->score(features);
      if (p > run.best.probability) run.best = ModelScore{p, std::string(name)};
    }
  };
  consider(n, "the text");
  if (r.withoutPictographs) consider(*r.withoutPictographs, "the text without emoji");
  if (r.joined) consider(*r.joined, "the text with spelled-out letters joined");
  for (size_t i = 0; i < r.segments.size(); ++i) {
    consider(r.segments[i], std::string(encodingName(n.decoded[i].encoding)) + "-decoded text");
  }
}

void addModel(const ModelRun& run, const InspectedText& t, std::string category, double anchor, Thresholds thresholds,
              TextFindings& findings) {
  const TextClassifier& model = *run.model;
  const double score = onPolicyScale(run.best.probability, model.info().threshold, anchor);
  const Verdict verdict = verdictOf(score, thresholds);
  if (verdict == Verdict::Allow) return;
  findings.add(Detection{model.info().id, std::move(category),
                         verdict == Verdict::Block ? Severity::High : Severity::Medium, score, 0, t.part,
                         Span{0, t.text.size()},
                         "classifier probability " + formatScore(run.best.probability) + " on " +
                             run.best.reading + " (model threshold " + formatScore(model.info().threshold) + ")",
                         verdict});
}

// Rule matches on the text and on its emoji-free reading; a rule is
// reported once, from the text itself when it matched there.
Result<std::vector<SignatureDetection>> scanRules(const SignatureScanner& scanner, const NormalizedText& n,
                                                  const Readings& readings, MessagePart part) {
  auto found = scanner.scan(n, part);
  if (!found || !readings.withoutPictographs) return found;
  auto more = scanner.scan(*readings.withoutPictographs, part);
  if (!more) return more;
  for (SignatureDetection& d : *more) {
    const bool known =
        std::any_of(found->begin(), found->end(), [&](const SignatureDetection& f) { return f.ruleId == d.ruleId; });
    if (!known) found->push_back(std::move(d));
  }
  return found;
}

}  // namespace

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::Allow:
      return "allow";
    case Verdict::Flag:
      return "flag";
    case Verdict::Sanitize:
      return "sanitize";
    case Verdict::Block:
      return "block";
  }
  return "unknown";
}

PromptInspector::PromptInspector(std::shared_ptr<const RuleSet> rules,
                                 std::shared_ptr<const TextClassifier> injectionModel,
                                 std::shared_ptr<const TextClassifier> harmfulModel, InspectorPolicy policy)
    : rules_(std::move(rules)),
      injectionModel_(std::move(injectionModel)),
      harmfulModel_(std::move(harmfulModel)),
      bothModels_(JointScorer::of({injectionModel_, harmfulModel_})),
      policy_(policy),
      id_(nextInspectorId.fetch_add(1, std::memory_order_relaxed)) {}

Result<TextOutcome> PromptInspector::inspectText(const InspectedText& t) const {
  TextOutcome out;
  TextFindings findings;
  NormalizedText n = normalize(t.text, policy_.normalize);
  out.report.counts = n.counts;
  const Thresholds direct = injectionThresholds(policy_, t.part);

  // Assistant text is the model's own output, checked by the output layer.
  // System text is scored with its own thresholds (InspectorPolicy).
  const bool injection = injectionModel_ && t.part != MessagePart::Assistant;
  const bool harmful = harmfulModel_ && t.part == MessagePart::User;
  const Readings readings(n, injection || harmful);

  const SignatureScanner scanner(rules_, SignatureScanLimits{kMaxRulesPerText});
  auto rules = scanRules(scanner, n, readings, t.part);
  if (!rules) return rules.error();
  for (const SignatureDetection& d : *rules) {
    const Verdict verdict = verdictOf(d.score, direct);
    if (verdict == Verdict::Allow) continue;
    findings.add(Detection{d.ruleId, d.category, d.severity, d.score, 0, t.part, d.span, viewDetail(d), verdict});
  }
  std::array<ModelRun, 2> runs;
  size_t used = 0;
  if (injection) runs[used++].model = injectionModel_.get();
  if (harmful) runs[used++].model = harmfulModel_.get();
  scoreReadings(std::span(runs.data(), used), used == 2 ? bothModels_.get() : nullptr, n, readings);
  if (injection) addModel(runs[0], t, "injection", policy_.flagScore, direct, findings);
  if (harmful) {
    addModel(runs[used - 1], t, "harmful", policy_.harmfulFlagScore,
             {policy_.harmfulFlagScore, policy_.harmfulBlockScore}, findings);
  }
  checkRoles(t, *rules, policy_, findings);
  checkHidden(t, n, policy_, out.report, findings);  // last: may take n.sanitized
  out.detections = std::move(findings.list);
  return out;
}

Result<InspectionReport> PromptInspector::inspect(std::span<const InspectedText> texts) const {
  Findings findings;
  std::vector<TextReport> reports(texts.size());
  if (checkSizes(texts, policy_, findings)) return findings.finish(std::move(reports));

  // Per thread: no lock on the request path. A cache belongs to one
  // inspector; a reloaded engine starts with an empty one.
  thread_local TextVerdictCache cache;
  thread_local uint64_t cacheOwner = 0;
  if (cacheOwner != id_) {
    cache.reset(policy_.cacheBytesPerThread);
    cacheOwner = id_;
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    const InspectedText& t = texts[i];
    const TextOutcome* outcome = cache.find(t.part, t.text);
    if (!outcome) {
      auto inspected = inspectText(t);
      if (!inspected) return inspected.error().wrap("inspect text " + std::to_string(i));
      outcome = cache.insert(t.part, t.text, std::move(inspected.value()));
    }
    for (Detection d : outcome->detections) {
      d.textIndex = i;
      findings.add(std::move(d));
    }
    reports[i] = outcome->report;
  }
  return findings.finish(std::move(reports));
}

}  // namespace warden::validation
