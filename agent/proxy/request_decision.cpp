#include "proxy/request_decision.h"

namespace warden::proxy {

RequestDecision decide(AccessGate* gate, const AccessInput& input) {
  RequestDecision decision;
  if (gate == nullptr) return decision;
  decision.access = gate->check(input);
  if (decision.access.refuse) {
    decision.allow = false;
    decision.decision = "deny";
    decision.reason = decision.access.reason;
    decision.refusal = decision.access.refusal;
  }
  return decision;
}

ResponseDecision decideResponse(const ConnectionInfo& /*connection*/, const providers::Route& /*route*/,
                                const providers::Response& /*response*/) {
  return ResponseDecision{};
}

}  // namespace warden::proxy
