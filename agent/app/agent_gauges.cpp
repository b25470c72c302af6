#include "app/agent_gauges.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/audit_pipeline.h"
#include "kernel/bpf_redirector.h"
#include "proxy/proxy.h"

namespace warden::app {
namespace {

using metrics::CallbackKind;
using metrics::Sample;

// One unlabelled value.
metrics::Collect single(std::function<double()> read) {
  return [read = std::move(read)] { return std::vector<Sample>{{{}, read()}}; };
}

// One value per sink, labelled with its name.
metrics::Collect perSink(AuditPipeline& audit, std::function<double(const audit::SinkStatus&)> read) {
  return [&audit, read = std::move(read)] {
    std::vector<Sample> samples;
    for (const auto& sink : audit.sinks()) samples.push_back({{sink.name}, read(sink)});
    return samples;
  };
}

struct BpfCounter {
  const char* name;
  const char* help;
  uint64_t kernel::KernelCounters::*field;
};

// The programs' per-CPU counters (bpf/shared/warden_abi.h), summed.
constexpr BpfCounter kBpfCounters[] = {
    {"warden_bpf_redirected_total", "Connects to a target rewritten to the agent", &kernel::KernelCounters::redirected},
    {"warden_bpf_passed_total", "Connects to other destinations, left alone", &kernel::KernelCounters::passed},
    {"warden_bpf_agent_own_total", "The agent's own upstream connects (SO_MARK), left alone",
     &kernel::KernelCounters::agentOwn},
    {"warden_bpf_quic_refused_total", "UDP/443 to a target refused, so clients fall back to TCP",
     &kernel::KernelCounters::quicRefused},
    {"warden_bpf_not_covered_total", "Connects to a target from another network namespace, not redirected",
     &kernel::KernelCounters::notCovered},
    {"warden_bpf_fail_open_total", "Connects to a target passed through because the agent was down",
     &kernel::KernelCounters::failOpen},
    {"warden_bpf_fail_closed_total", "Connects to a target refused because the agent was down",
     &kernel::KernelCounters::failClosed},
    {"warden_bpf_peername_rewritten_total", "getpeername() answered with the address the client dialled",
     &kernel::KernelCounters::peernameRewritten},
    {"warden_bpf_origin_missing_total", "Redirected connects whose origin could not be recorded (map full)",
     &kernel::KernelCounters::originMissing},
    {"warden_bpf_no_listener_total",
     "Connects to a target that found a fresh heartbeat but no agent listener (also in fail_open or fail_closed)",
     &kernel::KernelCounters::noListener},
};

}  // namespace

Status addAgentGauges(metrics::Registry& registry, AuditPipeline& audit, const kernel::BpfRedirector& redirector,
                      const proxy::Proxy& proxy) {
  audit::EventLog& log = audit.log();
  struct Callback {
    metrics::FamilySpec spec;
    CallbackKind kind;
    metrics::Collect collect;
  };
  std::vector<Callback> callbacks = {
      {{"warden_build_info", "Always 1; the agent's version as a label", {"version"}},
       CallbackKind::Gauge,
       [] {
         return std::vector<Sample>{{{WARDEN_VERSION}, 1}};
       }},
      {{"warden_spool_bytes", "Bytes of audit events in the spool's segments on disk"},
       CallbackKind::Gauge,
       single([&log] { return static_cast<double>(log.spoolBytes()); })},
      {{"warden_spool_segments", "Segment files in the audit spool"}, CallbackKind::Gauge, single([&log] {
         return static_cast<double>(log.segments());
       })},
      {{"warden_spool_full", "1 while the spool is at its bound and requests are refused (audit on_full: block)"},
       CallbackKind::Gauge,
       single([&log] { return log.full() ? 1.0 : 0.0; })},
      {{"warden_audit_events_written_total", "Audit events written to the spool"},
       CallbackKind::Counter,
       single([&log] { return static_cast<double>(log.written()); })},
      {{"warden_audit_events_dropped_total",
        "Audit events lost: queue full, spool full with on_full: drop, disk errors, or out of memory"},
       CallbackKind::Counter,
       single([&log] { return static_cast<double>(log.dropped()); })},
      {{"warden_sink_up", "1 while a sink delivers, 0 while its deliveries fail", {"sink"}},
       CallbackKind::Gauge,
       perSink(audit, [](const audit::SinkStatus& s) { return s.healthy ? 1.0 : 0.0; })},
      {{"warden_sink_lag_bytes", "Spooled bytes a sink has not delivered yet", {"sink"}},
       CallbackKind::Gauge,
       perSink(audit, [](const audit::SinkStatus& s) { return static_cast<double>(s.lagBytes); })},
      {{"warden_sink_delivered_total", "Audit event lines a sink delivered", {"sink"}},
       CallbackKind::Counter,
       perSink(audit, [](const audit::SinkStatus& s) { return static_cast<double>(s.deliveredLines); })},
      {{"warden_sink_failures_total", "Failed deliveries of a sink (each retried)", {"sink"}},
       CallbackKind::Counter,
       perSink(audit, [](const audit::SinkStatus& s) { return static_cast<double>(s.failures); })},
      {{"warden_connections_without_origin_total",
        "Accepted connections without a kernel record of where they were going (closed)"},
       CallbackKind::Counter,
       single([&proxy] { return static_cast<double>(proxy.counters().noOrigin); })},
      {{"warden_connections_owner_from_sock_diag_total",
        "Accepted connections without a kernel record, served as their socket's owner (sock_diag)"},
       CallbackKind::Counter,
       single([&proxy] { return static_cast<double>(proxy.counters().noOriginServed); })},
  };
  for (const auto& counter : kBpfCounters) {
    auto field = counter.field;
    callbacks.push_back({{counter.name, counter.help}, CallbackKind::Counter, single([&redirector, field] {
                           return static_cast<double>(redirector.counters().*field);
                         })});
  }
  for (auto& callback : callbacks) {
    if (auto added = registry.addCallback(std::move(callback.spec), callback.kind, std::move(callback.collect));
        !added) {
      return added;
    }
  }
  return {};
}

}  // namespace warden::app
