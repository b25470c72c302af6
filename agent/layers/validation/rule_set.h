// Signature rules (policies/rules/*.yaml) compiled into one Vectorscan
// database, so every rule is matched in a single pass over each view of a
// prompt. The file format is documented in policies/rules/README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct hs_database;

namespace warden::validation {

enum class Severity : uint8_t { Low, Medium, High, Critical };

std::string_view severityName(Severity severity);

// Where a text comes from in a request; a rule's scope says which parts it applies to.
enum class MessagePart : uint8_t { User, System, Assistant, ToolResult, Retrieved };

std::string_view messagePartName(MessagePart part);

// The normalised views a rule is matched on (see normalizer.h).
enum class RuleView : uint8_t { Folded, Leet, Joined, Decoded };

std::string_view ruleViewName(RuleView view);

constexpr uint8_t bitOf(MessagePart part) { return static_cast<uint8_t>(1u << static_cast<unsigned>(part)); }
constexpr uint8_t bitOf(RuleView view) { return static_cast<uint8_t>(1u << static_cast<unsigned>(view)); }

struct Rule {
  std::string id;
  std::string description;
  std::string category;
  Severity severity = Severity::Medium;
  double score = 0.5;
  std::vector<std::string> patterns;
  uint8_t scope = 0;  // bitOf(MessagePart) set
  uint8_t views = 0;  // bitOf(RuleView) set
  std::string source; // file:line of the rule, for messages
};

// Reads the rules of one YAML document; sourceName names it in errors
// ("policies/rules/injection.yaml:12:5: rules[3].severity: ...").
Result<std::vector<Rule>> parseRules(const std::string& yamlText, const std::string& sourceName);

// The compiled, immutable rule set. Shared by every worker thread; each thread
// brings its own scratch (see SignatureScanner).
class RuleSet {
 public:
  // Compiles rules; a pattern Vectorscan refuses fails the whole set, naming
  // the rule, its file:line and Vectorscan's reason.
  static Result<std::shared_ptr<const RuleSet>> compile(std::vector<Rule> rules);
  // Every *.yaml / *.yml file of a directory, in name order.
  static Result<std::shared_ptr<const RuleSet>> loadDirectory(const std::string& dir);
  static Result<std::shared_ptr<const RuleSet>> loadFiles(const std::vector<std::string>& paths);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  const std::vector<Rule>& rules() const { return rules_; }
  // Vectorscan reports a pattern id; this is the index of its rule.
  size_t ruleOfPattern(unsigned patternId) const { return patternRule_[patternId]; }
  const hs_database* database() const { return database_; }
  // The same patterns without start-of-match tracking, which costs about ten
  // times the scan: run first, and a view is scanned for spans only when
  // this finds something in it (benign text: never).
  const hs_database* screenDatabase() const { return screen_; }
  // Distinguishes databases for per-thread scratch even if an address is reused.
  uint64_t generation() const { return generation_; }

 private:
  RuleSet() = default;

  std::vector<Rule> rules_;
  std::vector<uint32_t> patternRule_;
  hs_database* database_ = nullptr;
  hs_database* screen_ = nullptr;
  uint64_t generation_ = 0;
};

}  // namespace warden::validation
