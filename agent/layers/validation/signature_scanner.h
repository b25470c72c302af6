// Layer-1 signature detection: every rule of a RuleSet matched in one
// Vectorscan pass per normalised view (folded, leet, joined, each decoded
// segment), reported with spans in the ORIGINAL text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/validation/normalizer.h"
#include "layers/validation/rule_set.h"

namespace warden::validation {

struct SignatureDetection {
  std::string ruleId;
  std::string category;
  Severity severity = Severity::Medium;
  double score = 0;
  RuleView view = RuleView::Folded;
  // Set when view is Decoded: which encoding hid the text.
  Encoding encoding = Encoding::Base64;
  // Bytes of the original text; for decoded text, the whole encoded run.
  Span span;
};

struct SignatureScanLimits {
  // Detections kept per scan, highest score first; one per rule at most.
  size_t maxDetections = 32;
};

class SignatureScanner {
 public:
  explicit SignatureScanner(std::shared_ptr<const RuleSet> rules, SignatureScanLimits limits = {});

  // Thread-safe: each thread scans with its own Vectorscan scratch. Fails only
  // if Vectorscan cannot allocate scratch or reports an internal error.
  Result<std::vector<SignatureDetection>> scan(const NormalizedText& text, MessagePart part) const;

  const RuleSet& rules() const { return *rules_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  SignatureScanLimits limits_;
};

}  // namespace warden::validation
