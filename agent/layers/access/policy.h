// The parsed form of AccessPolicy documents (format: docs/policy.md). Every
// item keeps the FILE:LINE:COLUMN it came from, for decisions and errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layers/access/access_decision.h"
#include "layers/access/matcher.h"

namespace warden::access {

// Where an item is and how to name it in an error: "f.yaml:12:9" and
// "spec.rules[3].id".
struct Origin {
  std::string position;
  std::string path;
};

struct Rule {
  std::string id;
  std::string description;
  int64_t priority = 0;
  Mode mode = Mode::Enforce;
  Matcher match;
  Action action = Action::Deny;
  std::string reason;
  std::string policyName;
  std::string source;  // position of the rule
  Origin idOrigin;
};

struct Budget {
  std::string id;
  Matcher match;
  bool perWorkload = true;  // false: one counter shared by every matching workload
  std::optional<uint64_t> requestsPerMinute;
  std::optional<uint64_t> requestsPerDay;
  std::optional<uint64_t> tokensPerMinute;
  std::optional<uint64_t> tokensPerDay;
  std::string policyName;
  std::string source;
  Origin idOrigin;
};

struct KeyEntry {
  std::string id;
  std::string provider;  // "" = any
  std::string sha256;    // lower-case hex of the key; the key itself is never in a policy
  Matcher allow;         // who may present (or be lent) the key
  std::string brokerSecret;  // "" = not brokered; else the name in the secrets file
  Mode mode = Mode::Enforce;
  std::string policyName;
  std::string source;
  Origin idOrigin;
  Origin sha256Origin;
  Origin brokerOrigin;
};

// spec.capture: workloads whose prompts and completions are written into
// their events, masked (the opt-in beside the default of keyed hashes only).
struct CaptureEntry {
  std::string id;
  std::string description;
  Matcher match;
  std::string policyName;
  std::string source;
  Origin idOrigin;
};

// spec.default: what applies when no rule matches.
struct DefaultDecision {
  Action action = Action::Monitor;
  Mode mode = Mode::Enforce;
  std::string reason;
  std::string policyName;
  std::string source;
  Origin origin;
};

struct PolicyDocument {
  std::string name;
  std::string description;
  Mode mode = Mode::Enforce;
  std::vector<Rule> rules;
  std::vector<Budget> budgets;
  std::vector<KeyEntry> keys;
  std::vector<CaptureEntry> captures;
  std::optional<DefaultDecision> defaultDecision;
};

struct PolicyFile {
  std::string path;
  std::vector<PolicyDocument> documents;  // in file order; empty documents are skipped

  size_t ruleCount() const;
  size_t budgetCount() const;
  size_t keyCount() const;
};

}  // namespace warden::access
