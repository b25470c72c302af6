#include "proxy/connection_info.h"

namespace warden::proxy {

audit::Event makeEvent(audit::EventType type, const ConnectionInfo& info) {
  audit::Event event;
  event.type = type;
  // Here, not in the log's thread: a refusal quotes it to the client. It
  // costs a few nanoseconds (a per-thread generator, no syscall).
  event.id = audit::newEventId();
  event.time = std::chrono::system_clock::now();
  event.identity = info.origin.identity;
  event.workload = info.workload;
  event.originalDst = info.origin.originalDst;
  event.sni = info.sni;
  event.mode = info.mode;
  return event;
}

std::string workloadKeyOf(const ConnectionInfo& info) {
  if (info.workload) return info.workload->key;
  const auto& comm = info.origin.identity.comm;
  return comm.empty() ? std::string() : "comm:" + comm;
}

}  // namespace warden::proxy
