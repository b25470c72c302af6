#include "proxy/request_decision.h"

namespace warden::proxy {

RequestDecision decide(const ConnectionInfo& /*connection*/, const providers::Route& /*route*/,
                       const providers::Request* /*request*/, const http::request_header<Fields>& /*header*/) {
  return RequestDecision{};
}

ResponseDecision decideResponse(const ConnectionInfo& /*connection*/, const providers::Route& /*route*/,
                                const providers::Response& /*response*/) {
  return ResponseDecision{};
}

}  // namespace warden::proxy
