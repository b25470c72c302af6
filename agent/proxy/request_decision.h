// The one place where a request is allowed or refused before anything of it
// is forwarded (after layer 1 has validated it), and where its response is
// allowed or refused as it streams back. Layer 3 (access) decides here; the
// anomaly layer and output checks will plug in beside it.
#pragma once

#include <string>

#include "providers/conversation.h"
#include "providers/route.h"
#include "proxy/access_gate.h"
#include "proxy/connection_info.h"
#include "proxy/http_types.h"

namespace warden::proxy {

struct RequestDecision {
  bool allow = true;
  std::string decision = "allow";  // as written to the audit event
  std::string reason;              // shown to the client when refused
  providers::Refusal refusal = providers::Refusal::Forbidden;
  // Layer 3's verdict: its record for the event, a brokered key to put in
  // the request, and the budgets the exchange's tokens are counted against.
  AccessVerdict access;
};

// `gate` null: no access layer (tests). `input.request` is the body as the
// route's adapter read it; null when the route is not inspected or the body
// could not be read (the event says why).
RequestDecision decide(AccessGate* gate, const AccessInput& input);

struct ResponseDecision {
  bool allow = true;
  std::string reason;  // shown to the client when refused
};

// Called at the response's head and after each piece of its body has been
// relayed, with the response as read so far (complete events only); a
// refusal ends the stream with the provider's error event.
ResponseDecision decideResponse(const ConnectionInfo& connection, const providers::Route& route,
                                const providers::Response& response);

}  // namespace warden::proxy
