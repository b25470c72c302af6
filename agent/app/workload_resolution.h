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

// Fails when the cgroup v2 mount cannot be found: without it no workload can
// be named, and the agent says so at start.
Result<proxy::WorkloadResolver> makeWorkloadResolver();

}  // namespace warden::app
