// One masking rule of policies/masking/*.yaml: what it finds (patterns),
// what of a match is masked (span), and the check a match must pass.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::masking {

enum class DataClass : uint8_t { Secret, Pii };

std::string_view dataClassName(DataClass dataClass);  // "secret" | "pii"

// What of a match is masked. Vectorscan has no capture groups, so the
// pattern finds where a value starts and a small reader finds its end.
enum class MaskSpan : uint8_t {
  Match,        // the whole match
  ValueAfter,   // the value after the match (`password = "..."`, `Bearer ...`): quoted or up to a delimiter
  UrlPassword,  // the match ends at "scheme://user:"; the password runs to '@'
  PemBlock,     // the match is a BEGIN line; the block runs to its END line (a bare BEGIN line is not reported)
};

std::string_view maskSpanName(MaskSpan span);

// The check a candidate must pass before it is reported.
enum class ValueCheck : uint8_t {
  None,
  SecretValue,  // assigned value: not empty, not a placeholder or code, enough character classes
  HighEntropy,  // a random-looking token of 16+ characters
  Token,        // a known token format, not an example or test filler (default for secret matches)
  Luhn,
  Iban,
  UsSsn,
  Ipv4,
  Ipv6,
  Phone,
  Email,
};

std::string_view valueCheckName(ValueCheck check);

struct MaskingRule {
  std::string id;
  std::string description;
  DataClass dataClass = DataClass::Secret;
  std::string type;
  double confidence = 0.8;
  std::vector<std::string> patterns;
  MaskSpan span = MaskSpan::Match;
  ValueCheck check = ValueCheck::None;
  std::string source;  // file:line:column of the rule, for messages
};

// Reads the rules of one YAML document; sourceName names it in errors
// ("policies/masking/secrets.yaml:12:5: rule secret.x.check: ...").
Result<std::vector<MaskingRule>> parseMaskingRules(const std::string& yamlText, const std::string& sourceName);

}  // namespace warden::masking
