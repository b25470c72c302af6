#include "app/status_report.h"

namespace warden::app {

nlohmann::json toJson(const kernel::KernelCounters& c) {
  return {{"redirected", c.redirected},   {"passed", c.passed},         {"agent_own", c.agentOwn},
          {"quic_refused", c.quicRefused}, {"not_covered", c.notCovered}, {"fail_open", c.failOpen},
          {"fail_closed", c.failClosed},  {"peername_rewritten", c.peernameRewritten},
          {"origin_missing", c.originMissing}, {"no_listener", c.noListener}};
}

nlohmann::json toJson(const proxy::ProxyCounters& c) {
  nlohmann::json untrusted = nlohmann::json::object();
  for (const auto& [exe, count] : c.untrustedCaByExecutable) untrusted[exe] = count;
  return {{"connections", c.connections},
          {"intercepted", c.intercepted},
          {"tunnelled", c.tunnelled},
          {"plain_http", c.plainHttp},
          {"requests", c.requests},
          {"errors", c.errors},
          {"no_origin", c.noOrigin},
          {"no_origin_served", c.noOriginServed},
          {"handshake_failures", c.handshakeFailures},
          {"prompts_allowed", c.promptsAllowed},
          {"prompts_flagged", c.promptsFlagged},
          {"prompts_sanitized", c.promptsSanitized},
          {"prompts_blocked", c.promptsBlocked},
          {"untrusted_ca_by_executable", untrusted}};
}

}  // namespace warden::app
