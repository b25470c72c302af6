// What the proxy knows about one accepted connection, and the audit event
// skeleton every event about it starts from.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/endpoint.h"
#include "layers/audit/event.h"

namespace warden::proxy {

struct ConnectionInfo {
  Endpoint client;
  ConnectionOrigin origin;
  std::string sni;   // empty when the client sent none (or for plain HTTP)
  std::string mode;  // "intercept" | "tunnel" | "plain"
  std::shared_ptr<const audit::WorkloadRecord> workload;  // null: not resolved
};

audit::Event makeEvent(audit::EventType type, const ConnectionInfo& info);

// The workload a connection's requests count for, as access policies and
// layer 2 name it: the resolved workload's key, else "comm:<comm>"; "" when
// the kernel gave nothing to tell it by.
std::string workloadKeyOf(const ConnectionInfo& info);

}  // namespace warden::proxy
