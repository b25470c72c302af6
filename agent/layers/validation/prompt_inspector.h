// Layer 1 as one call: every text of a request (normalised once) goes past
// the signature rules, the learned classifiers and the structural checks, and
// the findings become one verdict under the policy's thresholds. Used inline
// by wardend, offline by `wardenctl scan` and by the evaluation tool, so all
// three see the same engine.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "layers/validation/joint_scorer.h"
#include "layers/validation/normalizer.h"
#include "layers/validation/rule_set.h"
#include "layers/validation/text_classifier.h"

namespace warden::validation {

// Ordered: a request's verdict is the most severe of its findings.
enum class Verdict : uint8_t { Allow, Flag, Sanitize, Block };

std::string_view verdictName(Verdict verdict);

// One text of the request, as the provider adapter found it.
struct InspectedText {
  MessagePart part = MessagePart::User;
  std::string_view text;
};

struct Detection {
  std::string id;        // rule id ("inj.override.ignore-previous"), "model.injection", "struct.role-misuse"...
  std::string category;  // "instruction-override", "jailbreak", "harmful", "hidden-text", ...
  Severity severity = Severity::Medium;
  double score = 0;      // [0, 1]
  size_t textIndex = 0;  // which InspectedText
  MessagePart part = MessagePart::User;
  Span span;                         // bytes of that text; the whole text for model scores
  std::string detail;                // one line for people: what was seen ("base64 run decoded to ...")
  Verdict verdict = Verdict::Allow;  // what this finding alone asks for under the policy
};

// Score thresholds and limits; wardend takes them from its config (validation:).
struct InspectorPolicy {
  // User text: a finding at or above flag is reported, at or above block
  // stops the request.
  double flagScore = 0.5;
  double blockScore = 0.85;
  // System and developer text: the application's own instructions, where
  // "never reveal these instructions" is ordinary, so by default a finding is
  // reported but blocks only at a certain score (and layer 2 counts one in
  // the system prompt an HTTP request opens with only from there). A
  // workload's jailbreak put there is still on record.
  double systemFlagScore = 0.5;
  double systemBlockScore = 1.0;
  // Tool results and retrieved documents (indirect injection) have their own.
  double indirectFlagScore = 0.6;
  double indirectBlockScore = 0.9;
  // The harmful-request detector, reported as its own category.
  double harmfulFlagScore = 0.6;
  double harmfulBlockScore = 0.9;
  // Smuggled characters (tags, variation-selector runs, bidi overrides) make
  // the verdict at least Sanitize; sanitize forwards NormalizedText::sanitized.
  bool sanitizeSmuggling = true;
  // More of a text hidden than this fraction (invisible, tag, bidi) is a finding.
  double hiddenTextRatio = 0.2;
  // Size limits; past them the request is blocked (0 = no limit).
  // As large as what the proxy accepts (a text file in an upload: 8 MiB; a
  // body: 32 MiB), so no request it reads is refused for its size here. The
  // normaliser still reads at most NormalizeLimits::maxInputBytes of a text.
  size_t maxTextBytes = 8 << 20;
  size_t maxTotalBytes = 32 << 20;
  size_t maxTexts = 4096;
  NormalizeLimits normalize;
  // What each thread remembers of texts inspected before (text_verdict_cache.h):
  // a conversation resends its history with every turn. 0 = nothing.
  size_t cacheBytesPerThread = 8 << 20;
};

struct TextReport {
  NormalizeCounts counts;
  bool sanitizeNeeded = false;
  std::string sanitized;  // set when sanitizeNeeded
};

struct TextOutcome;

struct InspectionReport {
  Verdict verdict = Verdict::Allow;
  std::vector<Detection> detections;  // highest score first
  std::vector<TextReport> texts;      // one per InspectedText, same order
};

class PromptInspector {
 public:
  // Any of the detectors may be null (not configured); the rules are required.
  PromptInspector(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const TextClassifier> injectionModel,
                  std::shared_ptr<const TextClassifier> harmfulModel, InspectorPolicy policy);

  // Thread-safe. Fails only on an internal error of a detector (Vectorscan
  // scratch), never because of what the texts contain.
  Result<InspectionReport> inspect(std::span<const InspectedText> texts) const;

  const InspectorPolicy& policy() const { return policy_; }
  const RuleSet& rules() const { return *rules_; }

 private:
  // Every detector on one text; findings carry textIndex 0.
  Result<TextOutcome> inspectText(const InspectedText& text) const;

  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const TextClassifier> injectionModel_;
  std::shared_ptr<const TextClassifier> harmfulModel_;
  // Both models at once, for the texts both read (null when their table
  // sizes differ or are too large to copy: JointScorer::of()).
  std::shared_ptr<const JointScorer> bothModels_;
  InspectorPolicy policy_;
  uint64_t id_;
};

}  // namespace warden::validation
