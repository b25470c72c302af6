#include "proxy/access_gate.h"

#include <boost/beast/core/string.hpp>

#include "layers/access/key_broker.h"
#include "layers/audit/hash_chain.h"

namespace warden::proxy {
namespace {

// The headers an SDK sends its key in, in the order they are looked for.
constexpr std::string_view kKeyHeaders[] = {"authorization", "x-api-key", "api-key", "x-goog-api-key"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The key itself: what follows "Bearer " in Authorization, the whole value
// elsewhere.
std::string_view keyOf(const Credential& credential) {
  std::string_view value = trim(credential.value);
  if (credential.header == "authorization") {
    constexpr std::string_view kBearer = "bearer ";
    if (value.size() > kBearer.size() && boost::beast::iequals(value.substr(0, kBearer.size()), kBearer)) {
      return trim(value.substr(kBearer.size()));
    }
  }
  return value;
}

std::vector<std::string> detectionsOf(const audit::ValidationRecord* validation,
                                      const audit::SensitiveDataRecord* sensitive) {
  std::vector<std::string> out;
  if (validation != nullptr) {
    for (const auto& finding : validation->findings) {
      // Policies may name a finding by its category ("jailbreak") or its
      // rule id ("injection.ignore-previous"): both are offered.
      out.push_back(finding.category);
      out.push_back(finding.id);
    }
  }
  if (sensitive != nullptr) {
    // A failed scan found nothing, which is not the same as finding
    // nothing: a policy that denies on secrets can deny on this too.
    if (!sensitive->error.empty()) out.emplace_back("sensitive_data_unscanned");
    for (const auto& finding : sensitive->findings) {
      out.push_back(finding.dataClass);  // secret | pii
      out.push_back(finding.id);
    }
  }
  return out;
}

access::AccessRequest requestOf(const AccessInput& input, access::Subject subject, std::chrono::system_clock::time_point now) {
  access::AccessRequest request;
  request.subject = std::move(subject);
  request.provider = providers::toString(input.route.provider);
  request.host = std::string(input.host);
  if (input.header != nullptr) {
    const std::string_view target = input.header->target();
    request.endpoint = std::string(target.substr(0, target.find('?')));
  }
  if (input.request != nullptr) {
    request.model = input.request->model;
    for (const auto& tool : input.request->tools) request.toolsDeclared.push_back(tool.name);
    for (const auto& message : input.request->messages) {
      for (const auto& call : message.toolCalls) request.toolsCalled.push_back(call.name);
    }
  }
  request.detections = detectionsOf(input.validation, input.sensitiveData);
  request.riskScore = input.riskScore;
  request.time = now;
  return request;
}

audit::AccessRecord recordOf(const access::AccessDecision& decision) {
  audit::AccessRecord record;
  record.action = std::string(access::actionName(decision.action));
  record.enforced = decision.enforced;
  record.rule = decision.ruleId;
  record.policy = decision.policyName;
  record.source = decision.source;
  record.reason = decision.reason;
  record.flags = decision.flags;
  return record;
}

// A refusal the workload's risk score made, whichever rule (or the default)
// decided: with a score of 0 the request would not be refused. Layer 2 does
// not count such a refusal against the workload again.
bool deniedForRisk(const access::PolicySet& policies, access::AccessRequest request) {
  if (!(request.riskScore > 0)) return false;
  request.riskScore = 0;
  const access::AccessDecision without = policies.evaluate(request);
  return !(without.action == access::Action::Deny && without.enforced);
}

void refuseWith(AccessVerdict& verdict, providers::Refusal refusal, std::string reason) {
  verdict.refuse = true;
  verdict.refusal = refusal;
  verdict.reason = std::move(reason);
}

}  // namespace

access::Subject subjectOf(const ConnectionInfo& connection) {
  access::Subject subject;
  const auto& kernel = connection.origin.identity;
  subject.comm = kernel.comm;
  // A connection the kernel recorded always has its ids, even when the
  // names could not be resolved.
  subject.known = kernel.tgid != 0 || kernel.cgroupId != 0;
  if (subject.known) {
    subject.uid = kernel.uid;
    subject.gid = kernel.gid;
  }
  subject.workloadKey = workloadKeyOf(connection);
  if (const auto& workload = connection.workload) {
    subject.unit = workload->unit;
    subject.slice = workload->slice;
    subject.containerId = workload->container;
    subject.containerRuntime = workload->runtime;
    subject.podUid = workload->pod;
    subject.cgroupPath = workload->cgroup;
    subject.executable = workload->executable;
    subject.executableSha256 = workload->executableSha256;
    subject.user = workload->user;
    subject.group = workload->group;
  }
  return subject;
}

std::optional<Credential> presentedKey(const http::request_header<Fields>& header) {
  for (const std::string_view name : kKeyHeaders) {
    auto found = header.find(boost::beast::string_view(name.data(), name.size()));
    if (found == header.end()) continue;
    return Credential{std::string(name), std::string(found->value())};
  }
  return std::nullopt;
}

AccessGate::AccessGate(AccessPolicies policies, WallClock clock)
    : current_(std::make_shared<const AccessPolicies>(std::move(policies))), ledger_(clock), clock_(std::move(clock)) {}

void AccessGate::replace(AccessPolicies policies) {
  current_.store(std::make_shared<const AccessPolicies>(std::move(policies)));
}

AccessVerdict AccessGate::check(const AccessInput& input) {
  AccessVerdict verdict;
  const auto state = current_.load();
  if (!state->policies) return verdict;
  verdict.policies = state->policies;
  const access::PolicySet& policies = *state->policies;

  auto request = requestOf(input, subjectOf(input.connection), clock_());
  const auto presented = input.header ? presentedKey(*input.header) : std::nullopt;
  std::optional<std::string_view> placeholder;
  if (presented) {
    placeholder = access::placeholderSecret(presented->value);
    if (!placeholder) request.keySha256 = audit::toHex(audit::sha256Of(keyOf(*presented)));
  }

  const access::AccessDecision decision = policies.evaluate(request);
  verdict.capture = policies.captureFor(request);
  auto& record = verdict.record;
  record = recordOf(decision);
  if (!request.keySha256.empty()) {
    if (const auto* key = policies.keyBySha256(request.keySha256)) record.key = key->id;
  }
  if (decision.action == access::Action::Deny && decision.enforced) {
    verdict.onRisk = deniedForRisk(policies, request);
    refuseWith(verdict, providers::Refusal::Forbidden, decision.reason);
    return verdict;
  }
  verdict.redact = decision.action == access::Action::Redact && decision.enforced;

  if (placeholder) {
    if (!state->secrets) {
      refuseWith(verdict, providers::Refusal::Forbidden,
                 "the request carries a warden placeholder key, but no secrets file is configured on this host");
      return verdict;
    }
    auto lent = access::brokeredKey(policies, *state->secrets, request, presented->value);
    if (!lent) {
      refuseWith(verdict, providers::Refusal::Forbidden, lent.error().message);
      return verdict;
    }
    if (const auto* key = policies.keyBySecret(*placeholder)) record.key = key->id;
    record.brokered = true;
    const bool bearer = presented->header == "authorization";
    verdict.credential = Credential{presented->header, bearer ? "Bearer " + *lent : *lent};
  }

  verdict.subject = request.subject;
  verdict.budgets = policies.budgetsFor(request);
  if (!verdict.budgets.empty()) {
    const access::BudgetCheck budget = ledger_.checkRequest(verdict.budgets, verdict.subject);
    verdict.counted = budget;
    if (!budget.allowed) {
      record.budget = budget.budgetId;
      record.limit = budget.limit;
      record.retryAfterSeconds = static_cast<uint64_t>(budget.retryAfter.count());
      verdict.retryAfter = budget.retryAfter;
      verdict.budgets.clear();  // a refused request is not counted
      verdict.credential.reset();
      refuseWith(verdict, providers::Refusal::RateLimited,
                 "budget " + budget.budgetId + " is used up (" + budget.limit + "); retry after " +
                     std::to_string(budget.retryAfter.count()) + " s");
    }
  }
  return verdict;
}

AccessVerdict AccessGate::checkTunnel(const ConnectionInfo& connection, std::string_view host, double riskScore) {
  AccessVerdict verdict;
  const auto state = current_.load();
  if (!state->policies) return verdict;
  const providers::Route route{.provider = providers::providerForHost(host)};
  const AccessInput input{connection, route, nullptr, nullptr, nullptr, host, nullptr, riskScore};
  const access::AccessDecision decision = state->policies->evaluate(requestOf(input, subjectOf(connection), clock_()));
  verdict.record = recordOf(decision);
  if (decision.action == access::Action::Deny && decision.enforced) {
    refuseWith(verdict, providers::Refusal::Forbidden, decision.reason);
  } else if (decision.action == access::Action::Redact && decision.enforced) {
    // What is relayed unread cannot be masked; forwarding it would break
    // the rule's promise.
    refuseWith(verdict, providers::Refusal::Forbidden,
               "the deciding rule masks secrets and personal data, which warden cannot do on a connection it relays "
               "without reading it");
  }
  return verdict;
}

void AccessGate::returnRequest(AccessVerdict& verdict) {
  ledger_.returnRequest(verdict.budgets, verdict.subject, verdict.counted);
  verdict.budgets.clear();
}

void AccessGate::recordUsage(const AccessVerdict& verdict, uint64_t tokens) {
  if (verdict.budgets.empty() || tokens == 0) return;
  ledger_.recordUsage(verdict.budgets, verdict.subject, tokens);
}

}  // namespace warden::proxy
