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

#include "core/pattern_rule_reader.h"

namespace warden::validation {
namespace {

constexpr std::string_view kCategories[] = {
    "instruction_override", "prompt_extraction", "roleplay_jailbreak", "delimiter_injection",
    "fake_role",            "tool_forgery",      "payload_splitting",  "obfuscation",
    "exfiltration",
};
constexpr std::string_view kRuleKeys[] = {"id", "description", "category", "severity", "score", "patterns",
                                          "scope", "views"};
using pattern_rules::joinNames;
using pattern_rules::position;

class RuleReader : public pattern_rules::RuleFileReader {
 public:
  using RuleFileReader::RuleFileReader;

  std::vector<Rule> read(const YAML::Node& root) {
    std::vector<Rule> rules;
    const YAML::Node list = rulesList(root);
    if (!list.IsDefined()) return rules;  // an empty file holds no rules
    for (size_t i = 0; i < list.size() && !failed(); ++i) rules.push_back(readRule(list[i], i));
    return rules;
  }

 private:
  Rule readRule(const YAML::Node& node, size_t index) {
    Rule rule;
    std::string what = "rules[" + std::to_string(index) + "]";
    rule.source = position(source(), node.Mark());
    if (!node.IsMap()) {
      fail(node.Mark(), what, "expected a map with id, description, category, severity, score, patterns");
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
    rule.category = text(node, "category", what);
    if (!failed() && std::find(std::begin(kCategories), std::end(kCategories), rule.category) == std::end(kCategories)) {
      fail(node["category"].Mark(), what + ".category",
           "unknown category '" + rule.category + "' (known: " + joinNames(kCategories) + ")");
    }
    readSeverity(node, what, rule);
    if (auto score = fraction(node, "score", what)) rule.score = *score;
    rule.patterns = patterns(node, what);
    rule.scope = readSet<MessagePart>(node, "scope", what, {MessagePart::User, MessagePart::System,
                                                           MessagePart::Assistant, MessagePart::ToolResult,
                                                           MessagePart::Retrieved});
    rule.views = readSet<RuleView>(node, "views", what,
                                   {RuleView::Folded, RuleView::Leet, RuleView::Joined, RuleView::Decoded});
    return rule;
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
