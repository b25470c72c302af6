// The one place where a request is allowed or refused before anything of it
// is forwarded, and where its response is allowed or refused as it streams
// back. The policy layers (validation, anomaly, access, output checks) plug
// in here; until they exist everything is allowed.
#pragma once

#include <string>

#include "providers/conversation.h"
#include "providers/route.h"
#include "proxy/connection_info.h"
#include "proxy/http_types.h"

namespace warden::proxy {

struct RequestDecision {
  bool allow = true;
  std::string decision = "allow";  // as written to the audit event
  std::string reason;              // shown to the client when refused
};

// `request` is the body as the route's adapter read it; null when the route
// is not inspected or the body could not be read (the event says why).
RequestDecision decide(const ConnectionInfo& connection, const providers::Route& route,
                       const providers::Request* request, const http::request_header<Fields>& header);

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
