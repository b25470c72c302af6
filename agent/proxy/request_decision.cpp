#include "proxy/request_decision.h"

namespace warden::proxy {

RequestDecision decide(const ConnectionInfo& /*connection*/, const http::request_header<>& /*request*/) {
  return RequestDecision{};
}

}  // namespace warden::proxy
