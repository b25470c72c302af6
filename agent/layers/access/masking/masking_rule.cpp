#include "layers/access/masking/masking_rule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

namespace warden::masking {
namespace {

constexpr std::string_view kRuleKeys[] = {"id",         "description", "class", "type",
                                          "confidence", "patterns",    "mask",  "check"};
constexpr size_t kMaxPatternsPerRule = 64;
constexpr MaskSpan kSpans[] = {MaskSpan::Match, MaskSpan::ValueAfter, MaskSpan::UrlPassword, MaskSpan::PemBlock};
constexpr ValueCheck kChecks[] = {ValueCheck::None, ValueCheck::SecretValue, ValueCheck::HighEntropy, ValueCheck::Token,
                                  ValueCheck::Luhn, ValueCheck::Iban,        ValueCheck::UsSsn,       ValueCheck::Ipv4,
                                  ValueCheck::Ipv6, ValueCheck::Phone,       ValueCheck::Email};

std::string position(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool isIdentifier(const std::string& id, bool allowDots) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (allowDots && (c == '.' || c == '-'));
  });
}

template <class E, size_t N, class NameOf>
std::string namesOf(const E (&all)[N], NameOf nameOf) {
  std::string out;
  for (E e : all) out += (out.empty() ? "" : ", ") + std::string(nameOf(e));
  return out;
}

// Reads one document keeping the first error with its position.
class RuleReader {
 public:
  explicit RuleReader(std::string source) : source_(std::move(source)) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }

  void fail(const YAML::Mark& mark, const std::string& what, const std::string& message) {
    if (!error_) error_ = Error{position(source_, mark) + ": " + what + ": " + message};
  }

  std::vector<MaskingRule> read(const YAML::Node& root) {
    std::vector<MaskingRule> rules;
    if (root.IsNull()) return rules;
    if (!root.IsMap()) {
      fail(root.Mark(), "(top level)", "expected a map with 'rules:' (and optionally 'version:')");
      return rules;
    }
    YAML::Node list;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key == "version") {
        if (!it->second.IsScalar() || it->second.Scalar() != "1")
          fail(it->second.Mark(), "version", "only version 1 is known");
      } else if (key == "rules") {
        list = it->second;
      } else {
        fail(it->first.Mark(), key.empty() ? "(top level)" : key, "unknown key (known here: version, rules)");
      }
    }
    if (failed() || !list.IsDefined() || list.IsNull()) return rules;
    if (!list.IsSequence()) {
      fail(list.Mark(), "rules", "expected a list of rules");
      return rules;
    }
    for (size_t i = 0; i < list.size() && !failed(); ++i) rules.push_back(readRule(list[i], i));
    return rules;
  }

 private:
  MaskingRule readRule(const YAML::Node& node, size_t index) {
    MaskingRule rule;
    std::string what = "rules[" + std::to_string(index) + "]";
    rule.source = position(source_, node.Mark());
    if (!node.IsMap()) {
      fail(node.Mark(), what, "expected a map with id, description, class, type, confidence, patterns");
      return rule;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) == std::end(kRuleKeys)) {
        std::string known;
        for (std::string_view k : kRuleKeys) known += (known.empty() ? "" : ", ") + std::string(k);
        fail(it->first.Mark(), what + "." + key, "unknown key (known here: " + known + ")");
        return rule;
      }
      if (!seen.insert(key).second) {
        fail(it->first.Mark(), what + "." + key, "duplicate key");
        return rule;
      }
    }
    rule.id = text(node, "id", what);
    if (!failed() && !isIdentifier(rule.id, true)) {
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
    if (!failed() && !isIdentifier(rule.type, false)) {
      fail(node["type"].Mark(), what + ".type",
           "'" + rule.type + "' is not a type name (lower-case letters, digits, '_')");
    }
    readConfidence(node, what, rule);
    readPatterns(node, what, rule);
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

  std::string text(const YAML::Node& node, const char* key, const std::string& what) {
    if (failed()) return {};
    const YAML::Node value = node[key];
    if (!value.IsDefined() || value.IsNull()) {
      fail(node.Mark(), what, std::string("missing '") + key + "'");
      return {};
    }
    if (!value.IsScalar() || value.Scalar().empty()) {
      fail(value.Mark(), what + "." + key, "expected a non-empty text");
      return {};
    }
    return value.Scalar();
  }

  void readConfidence(const YAML::Node& node, const std::string& what, MaskingRule& rule) {
    const std::string value = text(node, "confidence", what);
    if (failed()) return;
    double confidence = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), confidence);
    if (ec != std::errc() || end != value.data() + value.size() || !(confidence >= 0.0 && confidence <= 1.0)) {
      fail(node["confidence"].Mark(), what + ".confidence", "'" + value + "' is not a number from 0 to 1");
      return;
    }
    rule.confidence = confidence;
  }

  void readPatterns(const YAML::Node& node, const std::string& what, MaskingRule& rule) {
    if (failed()) return;
    const YAML::Node list = node["patterns"];
    if (!list.IsDefined() || list.IsNull()) {
      fail(node.Mark(), what, "missing 'patterns' (a list of at least one regular expression)");
      return;
    }
    if (!list.IsSequence() || list.size() == 0) {
      fail(list.Mark(), what + ".patterns", "expected a list of at least one regular expression");
      return;
    }
    if (list.size() > kMaxPatternsPerRule) {
      fail(list.Mark(), what + ".patterns",
           "more than " + std::to_string(kMaxPatternsPerRule) + " patterns: split the rule");
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar() || list[i].Scalar().empty()) {
        fail(list[i].Mark(), what + ".patterns[" + std::to_string(i) + "]", "expected a non-empty regular expression");
        return;
      }
      rule.patterns.push_back(list[i].Scalar());
    }
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

  std::string source_;
  std::optional<Error> error_;
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
