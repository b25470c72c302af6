// Layer 3 at the proxy. For each API request it builds the access layer's
// view (who: the connection's kernel-verified workload; what: the route, the
// body's model and tools, layer 1's detections, the API key it carries),
// asks the loaded policies, checks the budgets, and lends a brokered key.
//
// Policies and secrets are swapped whole on reload (atomically); a request
// keeps the set it was decided with until its tokens are counted.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/wall_clock.h"
#include "layers/access/budget_ledger.h"
#include "layers/access/policy_set.h"
#include "layers/access/secrets_file.h"
#include "layers/audit/event.h"
#include "providers/conversation.h"
#include "providers/native_error.h"
#include "providers/route.h"
#include "proxy/connection_info.h"
#include "proxy/http_types.h"

namespace warden::proxy {

struct AccessPolicies {
  std::shared_ptr<const access::PolicySet> policies;
  std::shared_ptr<const access::SecretsFile> secrets;  // null: no brokered keys
};

// A header to set on the forwarded request: the real key lent in place of
// the workload's placeholder.
struct Credential {
  std::string header;
  std::string value;
};

struct AccessInput {
  const ConnectionInfo& connection;
  const providers::Route& route;
  const providers::Request* request;  // null: body not read (uninspected route)
  const http::request_header<Fields>* header;  // null: a tunnel, no request was read
  const audit::ValidationRecord* validation;  // null: layer 1 did not run
  std::string_view host;
  const audit::SensitiveDataRecord* sensitiveData = nullptr;  // null: the texts were not scanned
  double riskScore = 0;  // the workload's, from layer 2 (0 without it)
};

struct AccessVerdict {
  bool refuse = false;
  bool onRisk = false;  // refused because of the workload's risk score: with 0 it would not be
  providers::Refusal refusal = providers::Refusal::Forbidden;
  std::string reason;
  std::chrono::seconds retryAfter{0};
  audit::AccessRecord record;
  std::optional<Credential> credential;
  // The deciding rule says redact (enforced): mask what the scan found.
  bool redact = false;
  // The workload's prompts and completions go into the event, masked
  // (spec.capture); null: hashes only. Kept alive by `policies`.
  const access::CaptureEntry* capture = nullptr;
  // What the exchange's tokens are counted against, afterwards.
  std::shared_ptr<const access::PolicySet> policies;
  std::vector<const access::Budget*> budgets;
  access::Subject subject;
  access::BudgetCheck counted;  // how budgets admitted it, to take it back
};

class AccessGate {
 public:
  explicit AccessGate(AccessPolicies policies, WallClock clock = systemWallClock());

  void replace(AccessPolicies policies);
  std::shared_ptr<const AccessPolicies> current() const { return current_.load(); }

  AccessVerdict check(const AccessInput& input);
  // A connection warden relays without reading: only who and where are
  // known. Budgets do not count it (it is not a request).
  AccessVerdict checkTunnel(const ConnectionInfo& connection, std::string_view host, double riskScore);
  // After the response: the provider's usage, or an estimate.
  void recordUsage(const AccessVerdict& verdict, uint64_t tokens);
  // An admitted request warden refused itself afterwards (it could not mask
  // it, could not read it): it never reached the provider, so its budgets
  // take it back and its tokens are not counted.
  void returnRequest(AccessVerdict& verdict);

 private:
  std::atomic<std::shared_ptr<const AccessPolicies>> current_;
  access::BudgetLedger ledger_;
  WallClock clock_;
};

// The pieces, exposed for tests.
access::Subject subjectOf(const ConnectionInfo& connection);
// The API key a request carries, by where each provider's SDK puts it:
// Authorization: Bearer (OpenAI and compatible), x-api-key (Anthropic),
// api-key (Azure OpenAI), x-goog-api-key (Gemini). Header and value.
std::optional<Credential> presentedKey(const http::request_header<Fields>& header);

}  // namespace warden::proxy
