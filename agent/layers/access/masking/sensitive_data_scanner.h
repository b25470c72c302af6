// Layer 3's sensitive-data detection: secrets (credentials, keys, tokens)
// and personal data (e-mail, phone, card, IBAN, SSN, IP addresses) found in
// one Vectorscan pass over a text, each match checked (Luhn, mod-97, value
// shape) and narrowed to what must be masked. Rule format:
// policies/masking/README.md.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "layers/access/masking/masking_rule.h"

struct hs_database;

namespace warden::masking {

struct SensitiveMatch {
  size_t offset = 0;  // bytes into the scanned UTF-8 text
  size_t length = 0;  // bytes
  DataClass dataClass = DataClass::Secret;
  std::string type;       // e.g. "aws_access_key_id", "password", "email_address"
  std::string ruleId;     // e.g. "secret.aws.access_key_id", "pii.credit_card"
  double confidence = 0;  // 0..1
};

struct ScanLimits {
  // Matches per text. A text with more fails the scan rather than coming
  // back partly found: what is masked must be everything that was found.
  size_t maxMatches = 4096;
  // What each thread remembers of the texts it scanned (core/text_memory.h):
  // a conversation resends its history with every turn. 0: nothing.
  size_t memoryBytesPerThread = 8u << 20;
};

// The bytes a remembered scan result holds (core/text_memory.h).
struct MatchesCost {
  size_t operator()(const std::vector<SensitiveMatch>& matches) const;
};

class SensitiveDataScanner {
 public:
  // Every *.yaml / *.yml file of rulesDir, in name order. An invalid file or
  // a pattern Vectorscan refuses fails the load with FILE:LINE:COLUMN.
  static Result<std::shared_ptr<const SensitiveDataScanner>> load(const std::string& rulesDir, ScanLimits limits = {});
  // The same from rules already parsed (tests, tools).
  static Result<std::shared_ptr<const SensitiveDataScanner>> compile(std::vector<MaskingRule> rules,
                                                                     ScanLimits limits = {});

  ~SensitiveDataScanner();
  SensitiveDataScanner(const SensitiveDataScanner&) = delete;
  SensitiveDataScanner& operator=(const SensitiveDataScanner&) = delete;

  // Thread-safe: each thread scans with its own Vectorscan scratch. Matches
  // sorted by offset; overlapping matches merged, keeping the stronger.
  // Fails on a Vectorscan internal error and on a text with more matches
  // (or candidates) than the limits allow. A text this thread scanned before
  // is answered from memory.
  Result<std::vector<SensitiveMatch>> scan(std::string_view text) const;

  size_t ruleCount() const { return rules_.size(); }
  const std::vector<MaskingRule>& rules() const { return rules_; }

 private:
  SensitiveDataScanner() = default;
  Result<std::vector<SensitiveMatch>> scanUncached(std::string_view text) const;

  std::vector<MaskingRule> rules_;
  std::vector<uint32_t> patternRule_;
  hs_database* database_ = nullptr;
  uint64_t generation_ = 0;
  ScanLimits limits_;
};

// The text with each match replaced by "[REDACTED:<type>]", so the model
// still sees that a value was there and what kind it was. Matches must be
// scan()'s: sorted by offset, not overlapping; one out of range is skipped.
// (mask_text.cpp)
std::string maskText(std::string_view text, const std::vector<SensitiveMatch>& matches);

}  // namespace warden::masking
