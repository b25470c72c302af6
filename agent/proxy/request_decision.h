// The one place where a request is allowed or refused before anything of it
// is forwarded. The policy layers (validation, anomaly, access) plug in here;
// until they exist every request is allowed.
#pragma once

#include <string>

#include "proxy/connection_info.h"
#include "proxy/http_types.h"

namespace warden::proxy {

struct RequestDecision {
  bool allow = true;
  std::string decision = "allow";  // as written to the audit event
  std::string reason;              // shown to the client when refused
};

RequestDecision decide(const ConnectionInfo& connection, const http::request_header<>& request);

}  // namespace warden::proxy
