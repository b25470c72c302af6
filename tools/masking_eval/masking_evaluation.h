// The figures warden-masking-eval reports: secret recall and false
// positives per source, entity recall per type group, PII recall per type,
// over-masking, and the scanner's speed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "layers/access/masking/sensitive_data_scanner.h"
#include "masking_eval/labelled_spans.h"

namespace warden::tools {

struct Ratio {
  size_t hits = 0;
  size_t total = 0;
  double rate() const { return total ? static_cast<double>(hits) / static_cast<double>(total) : 0.0; }
};

struct SecretFigures {
  std::map<std::string, Ratio> recallBySource;         // secret rows with a secret match
  std::map<std::string, Ratio> falsePositiveBySource;  // no_secret rows with a secret match
  std::map<std::string, Ratio> entityRecallByGroup;    // labelled entities overlapped by a match
  Ratio recall;
  Ratio falsePositives;
  // Rows to look at before changing a rule (kept only when asked for).
  std::vector<std::string> missed;
  std::vector<std::string> falselyFlagged;
};

struct PiiFigures {
  // Per scanner type (email_address, ...): labelled entities overlapped by
  // any match, and by a match of that type.
  std::map<std::string, Ratio> recallByType;
  std::map<std::string, Ratio> typedRecallByType;
  // Types that need entity recognition, which the engine does not do.
  std::map<std::string, size_t> notDetected;
  // Types outside the engine's scope (dates, titles, ...).
  std::map<std::string, size_t> outOfScope;
  Ratio recall;                                     // every detectable entity
  Ratio overMasking;                                // rows without entities that got a match
  std::map<std::string, size_t> unlabelledMatches;  // matches overlapping no labelled entity, by type
  std::vector<std::string> missed;                  // "type: entity text" (kept only when asked for)
};

struct SpeedFigures {
  double megabytesPerSecond = 0;  // CPU time of one thread over every text
  double p99MicrosPer4k = 0;      // CPU time per 4 KB text
  size_t bytes = 0;
};

// "private_key", "password", ...: what a secret entity type of any source is about.
std::string secretTypeGroup(std::string_view labelledType);
// The scanner's type for a PII label ("EMAIL_ADDRESS" -> "email_address"), "ner:<group>" for
// types only entity recognition finds, "" for types out of scope.
std::string piiTypeOf(std::string_view labelledType);

Result<SecretFigures> evaluateSecrets(const masking::SensitiveDataScanner& scanner,
                                      const std::vector<LabelledSpanRow>& rows, size_t keepExamples = 0);
Result<PiiFigures> evaluatePii(const masking::SensitiveDataScanner& scanner, const std::vector<LabelledSpanRow>& rows,
                               size_t keepExamples = 0);
Result<SpeedFigures> measureSpeed(const masking::SensitiveDataScanner& scanner,
                                  const std::vector<const std::vector<LabelledSpanRow>*>& corpora);

}  // namespace warden::tools
