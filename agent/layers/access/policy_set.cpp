#include "layers/access/policy_set.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>

namespace warden::access {
namespace {

std::string duplicateMessage(const Origin& again, const std::string& what, const std::string& value,
                             const Origin& first) {
  return again.position + ": " + again.path + ": " + what + " '" + value + "' is already defined at " +
         first.position + " (ids are unique across all policy files; rename one)";
}

// Remembers the first origin of each value and reports the second.
class UniqueNames {
 public:
  explicit UniqueNames(std::string what) : what_(std::move(what)) {}

  std::optional<Error> add(const std::string& value, const Origin& origin) {
    auto [it, inserted] = seen_.emplace(value, origin);
    if (inserted) return std::nullopt;
    return Error{duplicateMessage(origin, what_, value, it->second)};
  }

 private:
  std::string what_;
  std::map<std::string, Origin> seen_;
};

std::string lowerHex(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void addUnknownFlag(const AccessRequest& request, AccessDecision& decision) {
  if (!request.subject.known) decision.flags.emplace_back(kUnknownWorkloadFlag);
}

}  // namespace

Result<std::shared_ptr<const PolicySet>> PolicySet::build(std::vector<PolicyFile> files) {
  std::shared_ptr<PolicySet> set(new PolicySet());
  UniqueNames ruleIds("rule id"), budgetIds("budget id"), keyIds("key id"), hashes("key sha256"),
      secrets("broker secret"), captureIds("capture id");
  for (PolicyFile& file : files) {
    for (PolicyDocument& doc : file.documents) {
      for (Rule& rule : doc.rules) {
        if (auto error = ruleIds.add(rule.id, rule.idOrigin)) return *error;
        set->rules_.push_back(std::move(rule));
      }
      for (Budget& budget : doc.budgets) {
        if (auto error = budgetIds.add(budget.id, budget.idOrigin)) return *error;
        set->budgets_.push_back(std::move(budget));
      }
      for (KeyEntry& key : doc.keys) {
        if (auto error = keyIds.add(key.id, key.idOrigin)) return *error;
        if (auto error = hashes.add(key.sha256, key.sha256Origin)) return *error;
        if (!key.brokerSecret.empty()) {
          if (auto error = secrets.add(key.brokerSecret, key.brokerOrigin)) return *error;
        }
        set->keys_.push_back(std::move(key));
      }
      for (CaptureEntry& capture : doc.captures) {
        if (auto error = captureIds.add(capture.id, capture.idOrigin)) return *error;
        set->captures_.push_back(std::move(capture));
      }
      if (doc.defaultDecision) {
        if (set->default_) {
          return Error{doc.defaultDecision->origin.position + ": spec.default: a default is already set at " +
                       set->default_->source + " (only one policy document may set it)"};
        }
        set->default_ = std::move(doc.defaultDecision);
      }
    }
  }
  if (set->rules_.size() > std::numeric_limits<uint32_t>::max()) return Error{"too many rules"};
  // Sentences for rules without a reason, written once rather than per request.
  for (Rule& rule : set->rules_) {
    if (rule.reason.empty()) rule.reason = "access rule '" + rule.id + "' (" + std::string(actionName(rule.action)) + ")";
  }
  if (set->default_ && set->default_->reason.empty()) {
    set->default_->reason = "no access rule matched; the default is " + std::string(actionName(set->default_->action));
  }
  // Stable: equal priorities keep load order.
  std::stable_sort(set->rules_.begin(), set->rules_.end(),
                   [](const Rule& a, const Rule& b) { return a.priority > b.priority; });
  for (uint32_t i = 0; i < set->rules_.size(); ++i) {
    const Matcher& match = set->rules_[i].match;
    if (const Criterion* unit = match.literalCriterion(TextField::Unit)) {
      for (const Glob& glob : unit->globs) set->byUnit_[glob.literal()].push_back(i);
      ++set->indexed_;
    } else if (const Criterion* workload = match.literalCriterion(TextField::Workload)) {
      for (const Glob& glob : workload->globs) set->byWorkload_[glob.literal()].push_back(i);
      ++set->indexed_;
    } else {
      set->general_.push_back(i);
    }
  }
  // A rule listing the same exact name twice must be tried once.
  for (auto* index : {&set->byUnit_, &set->byWorkload_}) {
    for (auto& [name, list] : *index) list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  for (size_t i = 0; i < set->keys_.size(); ++i) {
    set->keyByHash_.emplace(set->keys_[i].sha256, i);
    if (!set->keys_[i].brokerSecret.empty()) set->keyBySecret_.emplace(set->keys_[i].brokerSecret, i);
  }
  return std::shared_ptr<const PolicySet>(std::move(set));
}

const KeyEntry* PolicySet::keyBySha256(std::string_view sha256Hex) const {
  if (sha256Hex.empty() || keyByHash_.empty()) return nullptr;
  auto it = keyByHash_.find(lowerHex(sha256Hex));
  return it == keyByHash_.end() ? nullptr : &keys_[it->second];
}

const KeyEntry* PolicySet::keyBySecret(std::string_view secretName) const {
  auto it = keyBySecret_.find(std::string(secretName));
  return it == keyBySecret_.end() ? nullptr : &keys_[it->second];
}

std::optional<AccessDecision> PolicySet::keyTheft(const AccessRequest& request, std::string* note) const {
  const KeyEntry* key = keyBySha256(request.keySha256);
  if (!key) return std::nullopt;
  const Criterion* failed = key->allow.firstFailure(request);
  if (!failed) {
    if (note) *note = "key '" + key->id + "' presented by a workload its allow admits";
    return std::nullopt;
  }
  if (note) *note = "key '" + key->id + "' presented outside its allow: " + describeFailure(*failed, request);
  AccessDecision decision;
  decision.action = Action::Deny;
  decision.enforced = key->mode == Mode::Enforce;
  decision.ruleId = key->id;
  decision.policyName = key->policyName;
  decision.source = key->source;
  decision.reason = "the API key '" + key->id + "' is bound to other workloads; this workload may not use it";
  decision.flags.emplace_back(kKeyTheftFlag);
  addUnknownFlag(request, decision);
  return decision;
}

AccessDecision PolicySet::ruleDecision(const Rule& rule, const AccessRequest& request) const {
  AccessDecision decision;
  decision.action = rule.action;
  decision.enforced = rule.mode == Mode::Enforce;
  decision.ruleId = rule.id;
  decision.policyName = rule.policyName;
  decision.source = rule.source;
  decision.reason = rule.reason;
  addUnknownFlag(request, decision);
  return decision;
}

AccessDecision PolicySet::fallback(const AccessRequest& request) const {
  AccessDecision decision;
  if (default_) {
    decision.action = default_->action;
    decision.enforced = default_->mode == Mode::Enforce;
    decision.policyName = default_->policyName;
    decision.source = default_->source;
    decision.reason = default_->reason;
  } else {
    decision.action = Action::Monitor;
    decision.reason = "no access rule matched and no policy sets a default; the request is monitored";
  }
  addUnknownFlag(request, decision);
  return decision;
}

AccessDecision PolicySet::evaluate(const AccessRequest& request) const {
  if (!request.keySha256.empty()) {
    if (auto theft = keyTheft(request, nullptr)) return std::move(*theft);
  }
  static const std::vector<uint32_t> kNone;
  const std::vector<uint32_t>* lists[3] = {&general_, &kNone, &kNone};
  if (!byUnit_.empty()) {
    if (auto it = byUnit_.find(request.subject.unit); it != byUnit_.end()) lists[1] = &it->second;
  }
  if (!byWorkload_.empty()) {
    if (auto it = byWorkload_.find(request.subject.workloadKey); it != byWorkload_.end()) lists[2] = &it->second;
  }
  // Merge the three ascending lists so rules are still tried in order.
  size_t at[3] = {0, 0, 0};
  constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();
  while (true) {
    uint32_t next = kEnd;
    int from = -1;
    for (int l = 0; l < 3; ++l) {
      if (at[l] < lists[l]->size() && (*lists[l])[at[l]] < next) {
        next = (*lists[l])[at[l]];
        from = l;
      }
    }
    if (from < 0) break;
    ++at[from];
    const Rule& rule = rules_[next];
    if (rule.match.matches(request)) return ruleDecision(rule, request);
  }
  return fallback(request);
}

Explanation PolicySet::explain(const AccessRequest& request) const {
  Explanation out;
  if (auto theft = keyTheft(request, &out.keyCheck)) {
    out.decision = std::move(*theft);
    return out;
  }
  for (const Rule& rule : rules_) {
    TraceStep step{rule.id, rule.source, false, ""};
    if (const Criterion* failed = rule.match.firstFailure(request)) {
      step.failure = describeFailure(*failed, request);
      out.steps.push_back(std::move(step));
      continue;
    }
    step.matched = true;
    out.steps.push_back(std::move(step));
    out.decision = ruleDecision(rule, request);
    return out;
  }
  out.decision = fallback(request);
  return out;
}

std::vector<const Budget*> PolicySet::budgetsFor(const AccessRequest& request) const {
  std::vector<const Budget*> out;
  for (const Budget& budget : budgets_) {
    if (budget.match.matches(request)) out.push_back(&budget);
  }
  return out;
}

const CaptureEntry* PolicySet::captureFor(const AccessRequest& request) const {
  for (const CaptureEntry& capture : captures_) {
    if (capture.match.matches(request)) return &capture;
  }
  return nullptr;
}

}  // namespace warden::access
