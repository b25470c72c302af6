// Connects the identity library to the proxy: the proxy asks, once per
// connection, who is behind a kernel identity; the answer is the audit
// event's `workload` and what access policy matches on.
#pragma once

#include "core/result.h"
#include "identity/workload_identity.h"
#include "layers/audit/event.h"
#include "proxy/proxy.h"

namespace warden::app {

// The event's view of a resolved identity.
audit::WorkloadRecord toWorkloadRecord(const identity::WorkloadIdentity& identity);

// The proxy's two questions to the identity library: who is behind a kernel
// identity, and who owns a client socket the kernel has no record of. They
// share one resolver and its caches.
struct WorkloadLookups {
  proxy::WorkloadResolver resolve;
  proxy::ConnectionOwnerLookup connectionOwner;
};

// Fails when the cgroup v2 mount cannot be found: without it no workload can
// be named, and the agent says so at start. `scope` is the cgroup directory
// the programs are attached to: only a socket owner inside it is served
// without a kernel record (one outside was never meant to be intercepted).
Result<WorkloadLookups> makeWorkloadLookups(const std::string& scope);

}  // namespace warden::app
