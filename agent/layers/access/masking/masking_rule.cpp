#include "layers/access/masking/masking_rule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/pattern_rule_reader.h"

namespace warden::masking {
namespace {

constexpr std::string_view kRuleKeys[] = {"id",         "description", "class", "type",
                                          "confidence", "patterns",    "mask",  "check"};
constexpr MaskSpan kSpans[] = {MaskSpan::Match, MaskSpan::ValueAfter, MaskSpan::UrlPassword, MaskSpan::PemBlock};
constexpr ValueCheck kChecks[] = {ValueCheck::None, ValueCheck::SecretValue, ValueCheck::HighEntropy, ValueCheck::Token,
                                  ValueCheck::Luhn, ValueCheck::Iban,        ValueCheck::UsSsn,       ValueCheck::Ipv4,
                                  ValueCheck::Ipv6, ValueCheck::Phone,       ValueCheck::Email};

// The name in "[REDACTED:<type>]": lower-case letters, digits, '_'.
bool isTypeName(const std::string& type) {
  if (type.empty() || type.size() > 128) return false;
  return std::all_of(type.begin(), type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

template <class E, size_t N, class NameOf>
std::string namesOf(const E (&all)[N], NameOf nameOf) {
  std::string out;
  for (E e : all) out += (out.empty() ? "" : ", ") + std::string(nameOf(e));
  return out;
}

using pattern_rules::position;

// Reads one document keeping the first error with its position.
class RuleReader : public pattern_rules::RuleFileReader {
 public:
  using RuleFileReader::RuleFileReader;

  std::vector<MaskingRule> read(const YAML::Node& root) {
    std::vector<MaskingRule> rules;
    const YAML::Node list = rulesList(root);
    if (!list.IsDefined()) return rules;
    for (size_t i = 0; i < list.size() && !failed(); ++i) rules.push_back(readRule(list[i], i));
    return rules;
  }

 private:
  MaskingRule readRule(const YAML::Node& node, size_t index) {
    MaskingRule rule;
    std::string what = "rules[" + std::to_string(index) + "]";
    rule.source = position(source(), node.Mark());
    if (!node.IsMap()) {
      fail(node.Mark(), what, "expected a map with id, description, class, type, confidence, patterns");
      return rule;
    }
    if (!knownKeys(node, what, kRuleKeys)) return rule;
    rule.id = text(node, "id", what);
    if (!failed() && !pattern_rules::isRuleId(rule.id)) {
      fail(node["id"].Mark(), what + ".id",
           "'" + rule.id + "' is not a rule id (lower-case letters, digits, '.', '_', '-')");
    }
    if (!failed()) what = "rule " + rule.id;
    rule.description = text(node, "description", what);
    const std::string dataClass = text(node, "class", what);
    if (!failed()) {
      if (dataClass == "secret") {
        rule.dataClass = DataClass::Secret;
      } else if (dataClass == "pii") {
        rule.dataClass = DataClass::Pii;
      } else {
        fail(node["class"].Mark(), what + ".class", "'" + dataClass + "' is not a data class (secret, pii)");
      }
    }
    rule.type = text(node, "type", what);
    if (!failed() && !isTypeName(rule.type)) {
      fail(node["type"].Mark(), what + ".type",
           "'" + rule.type + "' is not a type name (lower-case letters, digits, '_')");
    }
    if (auto confidence = fraction(node, "confidence", what)) rule.confidence = *confidence;
    rule.patterns = patterns(node, what);
    // A value read after the match is checked as a secret value unless the rule says otherwise.
    rule.span = readName(node, "mask", what, kSpans, maskSpanName, MaskSpan::Match);
    // A secret token format is checked for documentation examples and test filler.
    ValueCheck byDefault = ValueCheck::None;
    if (rule.span == MaskSpan::ValueAfter || rule.span == MaskSpan::UrlPassword) {
      byDefault = ValueCheck::SecretValue;
    } else if (rule.dataClass == DataClass::Secret && rule.span == MaskSpan::Match) {
      byDefault = ValueCheck::Token;
    }
    rule.check = readName(node, "check", what, kChecks, valueCheckName, byDefault);
    return rule;
  }

  template <class E, size_t N, class NameOf>
  E readName(const YAML::Node& node, const char* key, const std::string& what, const E (&all)[N], NameOf nameOf,
             E byDefault) {
    if (failed()) return byDefault;
    const YAML::Node value = node[key];
    if (!value.IsDefined()) return byDefault;
    const std::string name = value.IsScalar() ? value.Scalar() : "";
    for (E e : all) {
      if (nameOf(e) == name) return e;
    }
    fail(value.Mark(), what + "." + key, "unknown value '" + name + "' (known: " + namesOf(all, nameOf) + ")");
    return byDefault;
  }
};

}  // namespace

std::string_view dataClassName(DataClass dataClass) { return dataClass == DataClass::Secret ? "secret" : "pii"; }

std::string_view maskSpanName(MaskSpan span) {
  switch (span) {
    case MaskSpan::Match:
      return "match";
    case MaskSpan::ValueAfter:
      return "value_after";
    case MaskSpan::UrlPassword:
      return "url_password";
    case MaskSpan::PemBlock:
      return "pem_block";
  }
  return "unknown";
}

std::string_view valueCheckName(ValueCheck check) {
  switch (check) {
    case ValueCheck::None:
      return "none";
    case ValueCheck::SecretValue:
      return "secret_value";
    case ValueCheck::HighEntropy:
      return "high_entropy";
    case ValueCheck::Token:
      return "token";
    case ValueCheck::Luhn:
      return "luhn";
    case ValueCheck::Iban:
      return "iban";
    case ValueCheck::UsSsn:
      return "us_ssn";
    case ValueCheck::Ipv4:
      return "ipv4";
    case ValueCheck::Ipv6:
      return "ipv6";
    case ValueCheck::Phone:
      return "phone";
    case ValueCheck::Email:
      return "email";
  }
  return "unknown";
}

Result<std::vector<MaskingRule>> parseMaskingRules(const std::string& yamlText, const std::string& sourceName) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::Exception& e) {
    return Error{position(sourceName, e.mark) + ": not valid YAML: " + e.msg};
  }
  RuleReader reader(sourceName);
  std::vector<MaskingRule> rules;
  try {
    rules = reader.read(root);
  } catch (const YAML::Exception& e) {  // yaml-cpp may throw on odd trees (aliases, merges)
    return Error{sourceName + ": " + e.what()};
  }
  if (reader.failed()) return reader.error();
  return rules;
}

}  // namespace warden::masking
