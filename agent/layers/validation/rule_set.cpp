#include "layers/validation/rule_set.h"

#include <hs/hs.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace warden::validation {
namespace {

constexpr std::string_view kCategories[] = {
    "instruction_override", "prompt_extraction", "roleplay_jailbreak", "delimiter_injection",
    "fake_role",            "tool_forgery",      "payload_splitting",  "obfuscation",
    "exfiltration",
};
constexpr std::string_view kRuleKeys[] = {"id", "description", "category", "severity", "score", "patterns",
                                          "scope", "views"};
constexpr size_t kMaxPatternsPerRule = 64;

std::string joinNames(const auto& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string position(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool isRuleId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Reads one document keeping the first error with its position: the parser
// reads as a list of fields instead of a check after every line.
class RuleReader {
 public:
  explicit RuleReader(std::string source) : source_(std::move(source)) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return *error_; }

  void fail(const YAML::Mark& mark, const std::string& what, const std::string& message) {
    if (!error_) error_ = Error{position(source_, mark) + ": " + what + ": " + message};
  }

  std::vector<Rule> read(const YAML::Node& root) {
    std::vector<Rule> rules;
    if (root.IsNull()) return rules;  // an empty file holds no rules
    if (!root.IsMap()) {
      fail(root.Mark(), "(top level)", "expected a map with 'rules:' (and optionally 'version:')");
      return rules;
    }
    YAML::Node list;
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
    if (failed()) return rules;
    if (!list.IsDefined() || list.IsNull()) return rules;
    if (!list.IsSequence()) {
      fail(list.Mark(), "rules", "expected a list of rules");
      return rules;
    }
    for (size_t i = 0; i < list.size() && !failed(); ++i) rules.push_back(readRule(list[i], i));
    return rules;
  }

 private:
  Rule readRule(const YAML::Node& node, size_t index) {
    Rule rule;
    std::string what = "rules[" + std::to_string(index) + "]";
    rule.source = position(source_, node.Mark());
    if (!node.IsMap()) {
      fail(node.Mark(), what, "expected a map with id, description, category, severity, score, patterns");
      return rule;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) == std::end(kRuleKeys)) {
        fail(it->first.Mark(), what + "." + key, "unknown key (known here: " + joinNames(kRuleKeys) + ")");
        return rule;
      }
      if (!seen.insert(key).second) {
        fail(it->first.Mark(), what + "." + key, "duplicate key");
        return rule;
      }
    }
    rule.id = text(node, "id", what);
    if (!failed() && !isRuleId(rule.id)) {
      fail(node["id"].Mark(), what + ".id",
           "'" + rule.id + "' is not a rule id (lower-case letters, digits, '.', '_', '-')");
    }
    if (!failed()) what = "rule " + rule.id;
    rule.description = text(node, "description", what);
    rule.category = text(node, "category", what);
    if (!failed() && std::find(std::begin(kCategories), std::end(kCategories), rule.category) == std::end(kCategories)) {
      fail(node["category"].Mark(), what + ".category",
           "unknown category '" + rule.category + "' (known: " + joinNames(kCategories) + ")");
    }
    readSeverity(node, what, rule);
    readScore(node, what, rule);
    readPatterns(node, what, rule);
    rule.scope = readSet<MessagePart>(node, "scope", what, {MessagePart::User, MessagePart::System,
                                                           MessagePart::Assistant, MessagePart::ToolResult,
                                                           MessagePart::Retrieved});
    rule.views = readSet<RuleView>(node, "views", what,
                                   {RuleView::Folded, RuleView::Leet, RuleView::Joined, RuleView::Decoded});
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

  void readSeverity(const YAML::Node& node, const std::string& what, Rule& rule) {
    const std::string name = text(node, "severity", what);
    if (failed()) return;
    for (Severity s : {Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
      if (severityName(s) == name) {
        rule.severity = s;
        return;
      }
    }
    fail(node["severity"].Mark(), what + ".severity",
         "'" + name + "' is not a severity (low, medium, high, critical)");
  }

  void readScore(const YAML::Node& node, const std::string& what, Rule& rule) {
    const std::string value = text(node, "score", what);
    if (failed()) return;
    double score = -1;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), score);
    if (ec != std::errc() || end != value.data() + value.size() || !(score >= 0.0 && score <= 1.0)) {
      fail(node["score"].Mark(), what + ".score", "'" + value + "' is not a number from 0 to 1");
      return;
    }
    rule.score = score;
  }

  void readPatterns(const YAML::Node& node, const std::string& what, Rule& rule) {
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
      fail(list.Mark(), what + ".patterns", "more than " + std::to_string(kMaxPatternsPerRule) + " patterns: split the rule");
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

  template <class E>
  uint8_t readSet(const YAML::Node& node, const char* key, const std::string& what, std::initializer_list<E> all) {
    uint8_t every = 0;
    for (E e : all) every |= bitOf(e);
    if (failed()) return every;
    const YAML::Node value = node[key];
    if (!value.IsDefined()) return every;
    std::vector<YAML::Node> items;
    if (value.IsScalar()) {
      items.push_back(value);
    } else if (value.IsSequence() && value.size() > 0) {
      for (size_t i = 0; i < value.size(); ++i) items.push_back(value[i]);
    } else {
      fail(value.Mark(), what + "." + key, "expected a name or a non-empty list of names");
      return every;
    }
    uint8_t bits = 0;
    for (const YAML::Node& item : items) {
      const std::string name = item.IsScalar() ? item.Scalar() : "";
      if (name == "any" || name == "all") {
        bits |= every;
        continue;
      }
      bool known = false;
      std::string names;
      for (E e : all) {
        names += std::string(nameOf(e)) + ", ";
        if (nameOf(e) == name) {
          bits |= bitOf(e);
          known = true;
        }
      }
      if (!known) {
        fail(item.Mark(), what + "." + key, "unknown value '" + name + "' (known: " + names + "any)");
        return every;
      }
    }
    return bits;
  }

  static std::string_view nameOf(MessagePart p) { return messagePartName(p); }
  static std::string_view nameOf(RuleView v) { return ruleViewName(v); }

  std::string source_;
  std::optional<Error> error_;
};

std::atomic<uint64_t> nextGeneration{1};

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"read rules " + path + ": cannot open (check the path and its permissions)"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{"read rules " + path + ": read failed"};
  return text.str();
}

}  // namespace

std::string_view severityName(Severity severity) {
  switch (severity) {
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "unknown";
}

std::string_view messagePartName(MessagePart part) {
  switch (part) {
    case MessagePart::User: return "user";
    case MessagePart::System: return "system";
    case MessagePart::Assistant: return "assistant";
    case MessagePart::ToolResult: return "tool_result";
    case MessagePart::Retrieved: return "retrieved";
  }
  return "unknown";
}

std::string_view ruleViewName(RuleView view) {
  switch (view) {
    case RuleView::Folded: return "folded";
    case RuleView::Leet: return "leet";
    case RuleView::Joined: return "joined";
    case RuleView::Decoded: return "decoded";
  }
  return "unknown";
}

Result<std::vector<Rule>> parseRules(const std::string& yamlText, const std::string& sourceName) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::Exception& e) {
    return Error{position(sourceName, e.mark) + ": not valid YAML: " + e.msg};
  }
  RuleReader reader(sourceName);
  std::vector<Rule> rules;
  try {
    rules = reader.read(root);
  } catch (const YAML::Exception& e) {  // yaml-cpp may throw on odd trees (aliases, merges)
    return Error{sourceName + ": " + e.what()};
  }
  if (reader.failed()) return reader.error();
  return rules;
}

RuleSet::~RuleSet() {
  hs_free_database(database_);
  hs_free_database(screen_);
}

Result<std::shared_ptr<const RuleSet>> RuleSet::compile(std::vector<Rule> rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (rules[j].id == rules[i].id) {
        return Error{rules[i].source + ": rule " + rules[i].id + ": duplicate id (first defined at " +
                     rules[j].source + "); rule ids must be unique across all rule files"};
      }
    }
  }
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::shared_ptr<RuleSet> set(new RuleSet());
  for (size_t r = 0; r < rules.size(); ++r) {
    for (const std::string& pattern : rules[r].patterns) {
      ids.push_back(static_cast<unsigned>(expressions.size()));
      expressions.push_back(pattern.c_str());
      // Views are lower-case ASCII-ish bytes; caseless keeps rules written in
      // any case working, leftmost start gives the span operators see.
      flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST);
      set->patternRule_.push_back(static_cast<uint32_t>(r));
    }
  }
  if (expressions.empty()) return Error{"rule set: no rules to compile (add a rule file under policies/rules/)"};
  hs_compile_error_t* compileError = nullptr;
  const hs_error_t rc = hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                                         static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                                         &set->database_, &compileError);
  if (rc != HS_SUCCESS) {
    std::string message = compileError && compileError->message ? compileError->message : "unknown error";
    const int index = compileError ? compileError->expression : -1;
    hs_free_compile_error(compileError);
    if (index >= 0 && static_cast<size_t>(index) < expressions.size()) {
      const Rule& rule = rules[set->patternRule_[static_cast<size_t>(index)]];
      size_t first = 0;
      while (set->patternRule_[first] != set->patternRule_[static_cast<size_t>(index)]) ++first;
      return Error{rule.source + ": rule " + rule.id + ": patterns[" + std::to_string(static_cast<size_t>(index) - first) +
                   "] '" + expressions[static_cast<size_t>(index)] + "' does not compile: " + message};
    }
    return Error{"rule set: Vectorscan could not compile the rules: " + message};
  }
  // Whatever compiles with start-of-match tracking compiles without it.
  std::vector<unsigned> screenFlags(flags.size(), HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
  hs_compile_error_t* screenError = nullptr;
  if (hs_compile_multi(expressions.data(), screenFlags.data(), ids.data(), static_cast<unsigned>(expressions.size()),
                       HS_MODE_BLOCK, nullptr, &set->screen_, &screenError) != HS_SUCCESS) {
    std::string message = screenError && screenError->message ? screenError->message : "unknown error";
    hs_free_compile_error(screenError);
    return Error{"rule set: Vectorscan could not compile the rules without start-of-match tracking: " + message};
  }
  set->rules_ = std::move(rules);
  set->generation_ = nextGeneration.fetch_add(1);
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Result<std::shared_ptr<const RuleSet>> RuleSet::loadFiles(const std::vector<std::string>& paths) {
  std::vector<Rule> all;
  for (const std::string& path : paths) {
    auto text = readFile(path);
    if (!text) return text.error();
    auto rules = parseRules(*text, path);
    if (!rules) return rules.error();
    for (Rule& rule : *rules) all.push_back(std::move(rule));
  }
  return compile(std::move(all));
}

Result<std::shared_ptr<const RuleSet>> RuleSet::loadDirectory(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string ext = it->path().extension().string();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file()) paths.push_back(it->path().string());
  }
  if (ec) return Error{"read rules directory " + dir + ": " + ec.message()};
  if (paths.empty()) return Error{"read rules directory " + dir + ": no *.yaml rule files found"};
  std::sort(paths.begin(), paths.end());
  return loadFiles(paths);
}

}  // namespace warden::validation
