// The running agent's state as metrics read at scrape time: the audit
// spool and its sinks, the BPF programs' counters, the proxy's connections
// without a kernel record. Nothing here is on the data path.
#pragma once

#include "core/result.h"
#include "metrics/registry.h"

namespace warden::kernel {
class BpfRedirector;
}

namespace warden::proxy {
class Proxy;
}

namespace warden::app {

class AuditPipeline;

// Every object must outlive the scrapes: stop the metrics server first.
Status addAgentGauges(metrics::Registry& registry, AuditPipeline& audit, const kernel::BpfRedirector& redirector,
                      const proxy::Proxy& proxy);

}  // namespace warden::app
