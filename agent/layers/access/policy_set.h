// Every loaded AccessPolicy compiled into one immutable set. The proxy holds
// a std::shared_ptr<const PolicySet> and swaps it on reload; evaluate() and
// explain() are const and keep no state, so any number of workers may call
// them at once.
//
// Order: rules are tried by priority (higher first); equal priorities keep
// load order (files in the order given, a directory's files by name, then
// position in the file). The first matching rule decides; no match -> the
// one spec.default, or monitor when no document sets one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "layers/access/access_decision.h"
#include "layers/access/access_request.h"
#include "layers/access/policy.h"

namespace warden::access {

class PolicySet {
 public:
  // `files` in load order. Fails on what no single file can see: a rule,
  // budget or key id defined twice, a key hash or broker secret listed
  // twice, a second spec.default.
  static Result<std::shared_ptr<const PolicySet>> build(std::vector<PolicyFile> files);

  // Key binding first (a known key presented by a workload outside its
  // allow -> deny, flagged key_theft_suspected), then the rules.
  AccessDecision evaluate(const AccessRequest& request) const;
  // The same decision, with every rule tried up to the deciding one and why
  // each did not match. Slower (no index, builds strings): for operators.
  Explanation explain(const AccessRequest& request) const;

  // The budgets whose match holds for the request, in load order.
  std::vector<const Budget*> budgetsFor(const AccessRequest& request) const;
  // The first capture entry (load order) whose match holds; null: none.
  const CaptureEntry* captureFor(const AccessRequest& request) const;
  const KeyEntry* keyBySha256(std::string_view sha256Hex) const;
  const KeyEntry* keyBySecret(std::string_view secretName) const;

  const std::vector<Rule>& rules() const { return rules_; }  // in evaluation order
  const std::vector<Budget>& budgets() const { return budgets_; }
  const std::vector<KeyEntry>& keys() const { return keys_; }
  const std::vector<CaptureEntry>& captures() const { return captures_; }
  const std::optional<DefaultDecision>& defaultDecision() const { return default_; }
  // Rules reached only through the exact unit/workload index (the rest are
  // tried for every request).
  size_t indexedRuleCount() const { return indexed_; }

 private:
  PolicySet() = default;

  std::optional<AccessDecision> keyTheft(const AccessRequest& request, std::string* note) const;
  AccessDecision ruleDecision(const Rule& rule, const AccessRequest& request) const;
  AccessDecision fallback(const AccessRequest& request) const;

  std::vector<Rule> rules_;
  std::vector<Budget> budgets_;
  std::vector<KeyEntry> keys_;
  std::vector<CaptureEntry> captures_;
  std::optional<DefaultDecision> default_;
  // Rule indexes (into rules_), each list ascending. A rule whose unit (or,
  // failing that, workload) criterion lists only exact names sits under
  // those names; every other rule is in general_.
  std::vector<uint32_t> general_;
  std::unordered_map<std::string, std::vector<uint32_t>> byUnit_;
  std::unordered_map<std::string, std::vector<uint32_t>> byWorkload_;
  size_t indexed_ = 0;
  std::unordered_map<std::string, size_t> keyByHash_;
  std::unordered_map<std::string, size_t> keyBySecret_;
};

}  // namespace warden::access
