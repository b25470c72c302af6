// What layer 1's signature rules and layer 3's masking rules have in common:
// a YAML file with `version: 1` and `rules: [...]`, each rule a map of known
// keys holding texts, 0..1 numbers and a list of patterns. The reader keeps
// the first error with its FILE:LINE:COLUMN, so a rule reads as a list of
// fields rather than a check after every line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::pattern_rules {

inline std::string position(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Lower-case letters, digits, '.', '_', '-'; at most 128 characters.
inline bool isRuleId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

inline std::string joinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

class RuleFileReader {
 public:
  static constexpr size_t kMaxPatternsPerRule = 64;

  explicit RuleFileReader(std::string source) : source_(std::move(source)) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }
  const std::string& source() const { return source_; }

  void fail(const YAML::Mark& mark, const std::string& what, const std::string& message) {
    if (!error_) error_ = Error{position(source_, mark) + ": " + what + ": " + message};
  }

  // The `rules:` list of a file; an undefined node (and no error) when the
  // file holds no rules.
  YAML::Node rulesList(const YAML::Node& root) {
    if (root.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    if (!root.IsMap()) {
      fail(root.Mark(), "(top level)", "expected a map with 'rules:' (and optionally 'version:')");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    YAML::Node list(YAML::NodeType::Undefined);
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (key == "version") {
        if (!it->second.IsScalar() || it->second.Scalar() != "1") {
          fail(it->second.Mark(), "version", "only version 1 is known");
        }
      } else if (key == "rules") {
        list = it->second;
      } else {
        fail(it->first.Mark(), key.empty() ? "(top level)" : key, "unknown key (known here: version, rules)");
      }
    }
    if (failed() || !list.IsDefined() || list.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    if (!list.IsSequence()) {
      fail(list.Mark(), "rules", "expected a list of rules");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    return list;
  }

  // false (and failed()) when the map has a key not in `known`, or one twice.
  bool knownKeys(const YAML::Node& node, const std::string& what, std::span<const std::string_view> known) {
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail(it->first.Mark(), what + "." + key, "unknown key (known here: " + joinNames(known) + ")");
        return false;
      }
      if (!seen.insert(key).second) {
        fail(it->first.Mark(), what + "." + key, "duplicate key");
        return false;
      }
    }
    return true;
  }

  // A required, non-empty scalar.
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

  // A required number from 0 to 1 (a score, a confidence).
  std::optional<double> fraction(const YAML::Node& node, const char* key, const std::string& what) {
    const std::string value = text(node, key, what);
    if (failed()) return std::nullopt;
    double number = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || !(number >= 0.0 && number <= 1.0)) {
      fail(node[key].Mark(), what + "." + key, "'" + value + "' is not a number from 0 to 1");
      return std::nullopt;
    }
    return number;
  }

  // The required list of one to kMaxPatternsPerRule regular expressions.
  std::vector<std::string> patterns(const YAML::Node& node, const std::string& what) {
    std::vector<std::string> out;
    if (failed()) return out;
    const YAML::Node list = node["patterns"];
    if (!list.IsDefined() || list.IsNull()) {
      fail(node.Mark(), what, "missing 'patterns' (a list of at least one regular expression)");
      return out;
    }
    if (!list.IsSequence() || list.size() == 0) {
      fail(list.Mark(), what + ".patterns", "expected a list of at least one regular expression");
      return out;
    }
    if (list.size() > kMaxPatternsPerRule) {
      fail(list.Mark(), what + ".patterns",
           "more than " + std::to_string(kMaxPatternsPerRule) + " patterns: split the rule");
      return out;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar() || list[i].Scalar().empty()) {
        fail(list[i].Mark(), what + ".patterns[" + std::to_string(i) + "]", "expected a non-empty regular expression");
        return {};
      }
      out.push_back(list[i].Scalar());
    }
    return out;
  }

 private:
  std::string source_;
  std::optional<Error> error_;
};

}  // namespace warden::pattern_rules
