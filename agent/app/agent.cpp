#include "app/agent.h"

#include <unistd.h>

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "app/access_policies.h"
#include "app/agent_gauges.h"
#include "app/audit_pipeline.h"
#include "app/status_report.h"
#include "app/target_resolver.h"
#include "app/validation_settings.h"
#include "app/workload_resolution.h"
#include "control/control_server.h"
#include "core/cgroup2_mount.h"
#include "core/log.h"
#include "kernel/bpf_redirector.h"
#include "layers/access/masking/sensitive_data_scanner.h"
#include "layers/audit/event_log.h"
#include "metrics/metrics_server.h"
#include "metrics/traffic_metrics.h"
#include "proxy/cert_authority.h"
#include "proxy/proxy.h"
#include "proxy/workload_registry.h"

namespace warden::app {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

proxy::InterceptNames interceptNamesOf(const Config& config) {
  proxy::InterceptNames names;
  for (const auto& host : config.hosts) {
    if (host.tls) names.insert(host.name);
  }
  return names;
}

// Where a connection with no kernel record goes when its ClientHello names an
// intercepted host: that host's port at the first address DNS gives now. The
// upstream's certificate is then verified against that same name.
proxy::DestinationLookup destinationLookup(const Config& config) {
  std::map<std::string, uint16_t> ports;
  for (const auto& host : config.hosts) {
    if (host.tls) ports.emplace(host.name, host.port);
  }
  return [ports = std::move(ports)](const std::string& name) -> Result<Endpoint> {
    const auto port = ports.find(name);
    if (port == ports.end()) return Error{name + " is not an intercepted host"};
    auto answer = systemLookup(name);
    if (!answer) return answer.error().wrap("resolving " + name);
    if (answer->addresses.empty()) return Error{"resolving " + name + ": no address"};
    // IPv4 first: a host without IPv6 routes may still get AAAA answers.
    const auto v4 = std::find_if(answer->addresses.begin(), answer->addresses.end(),
                                 [](const Endpoint& e) { return e.isV4Mapped(); });
    Endpoint destination = v4 != answer->addresses.end() ? *v4 : answer->addresses.front();
    destination.port = port->second;
    return destination;
  };
}

unsigned workerCount(const Config& config) {
  if (config.workers > 0) return config.workers;
  unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

// Everything the running agent owns, destroyed in reverse order of creation.
struct Running {
  Config config;
  Clock::time_point startedAt = Clock::now();
  std::string cgroupPath;
  std::shared_ptr<proxy::CertAuthority> ca;
  // Before the proxy, which records into them (see prepareMetrics).
  metrics::Registry metrics;
  std::unique_ptr<metrics::TrafficMetrics> traffic;
  std::unique_ptr<metrics::MetricsServer> metricsServer;
  std::unique_ptr<AuditPipeline> audit;
  audit::EventLog* events = nullptr;  // the audit pipeline's spool
  std::unique_ptr<proxy::Proxy> proxy;
  std::unique_ptr<kernel::BpfRedirector> redirector;
  std::mutex targetsMutex;  // resolver thread vs. shutdown
  std::unique_ptr<TargetResolver> resolver;
  std::unique_ptr<control::ControlServer> control;
  Clock::time_point lastHeartbeat{};
};

Result<std::string> resolveCgroup(const Config& config) {
  if (config.cgroup != "auto") return config.cgroup;
  auto root = findCgroup2Mount();
  if (!root) return root.error().wrap("finding the cgroup v2 root (set 'cgroup:' in the config)");
  return *root;
}

nlohmann::json statusOf(Running& r) {
  auto now = Clock::now();
  nlohmann::json status = {
      {"version", WARDEN_VERSION},
      {"pid", ::getpid()},
      {"uptime_s", std::chrono::duration<double>(now - r.startedAt).count()},
      {"cgroup", r.cgroupPath},
      {"fail_mode", r.config.failMode == kernel::FailMode::Open ? "open" : "closed"},
      {"heartbeat_age_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - r.lastHeartbeat).count()},
      {"listen_port", r.proxy->listenPort()},
      {"programs", r.redirector->programNames()},
      {"kernel", toJson(r.redirector->counters())},
      {"proxy", toJson(r.proxy->counters())},
      {"events",
       {{"spool", r.events->dir()},
        {"written", r.events->written()},
        {"dropped", r.events->dropped()},
        {"spool_bytes", r.events->spoolBytes()},
        {"segments", r.events->segments()},
        {"full", r.events->full()}}},
      {"ca", {{"fingerprint_sha256", r.ca->fingerprintSha256()}, {"subject", r.ca->subject()}}},
  };
  status["targets"] = toJson(r.resolver->snapshot());
  nlohmann::json sinks = nlohmann::json::array();
  for (const auto& sink : r.audit->sinks()) {
    sinks.push_back({{"name", sink.name},
                     {"destination", sink.describe},
                     {"healthy", sink.healthy},
                     {"delivered", sink.deliveredLines},
                     {"failures", sink.failures},
                     {"lag_bytes", sink.lagBytes},
                     {"last_error", sink.lastError}});
  }
  status["events"]["sinks"] = std::move(sinks);
  return status;
}

nlohmann::json identitiesOf(const proxy::Proxy& proxy) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& activity : proxy.workloads()) {
    const auto& w = *activity.workload;
    std::string lastSeen;
    audit::appendTimestamp(lastSeen, activity.lastSeen);
    list.push_back({{"key", w.key},
                    {"cgroup", w.cgroup},
                    {"unit", w.unit},
                    {"container", w.container},
                    {"runtime", w.runtime},
                    {"pod", w.pod},
                    {"executable", w.executable},
                    {"executable_sha256", w.executableSha256},
                    {"user", w.user},
                    {"group", w.group},
                    {"connections", activity.connections},
                    {"requests", activity.requests},
                    {"denied", activity.denied},
                    {"last_decision", activity.lastDecision},
                    {"last_seen", lastSeen}});
    // null: the anomaly layer is off.
    const auto risk = proxy.workloadRisk(w.key);
    list.back()["risk"] = risk ? nlohmann::json(std::round(*risk * 1000) / 1000) : nlohmann::json();
  }
  return {{"workloads", std::move(list)}};
}

Result<nlohmann::json> reloadAccess(Running& r, const std::string& trigger);

std::unordered_map<std::string, control::Handler> controlHandlers(Running& r) {
  return {
      {"status", [&r](const nlohmann::json&) -> Result<nlohmann::json> { return statusOf(r); }},
      {"identities", [&r](const nlohmann::json&) -> Result<nlohmann::json> { return identitiesOf(*r.proxy); }},
      {"policy.reload", [&r](const nlohmann::json&) -> Result<nlohmann::json> { return reloadAccess(r, "control"); }},
      {"ca.export",
       [&r](const nlohmann::json&) -> Result<nlohmann::json> { return nlohmann::json{{"pem", r.ca->certificatePem()}}; }},
  };
}

void submitPolicyEvent(Running& r, const LoadedAccess* loaded, const std::string& trigger, const std::string& error) {
  audit::Event event;
  event.type = audit::EventType::PolicyLoad;
  event.id = audit::newEventId();
  event.error = error;
  if (loaded != nullptr) {
    auto& record = event.policy.emplace();
    record.files = loaded->files;
    record.trigger = trigger;
    if (loaded->policies) {
      record.rules = loaded->policies->rules().size();
      record.budgets = loaded->policies->budgets().size();
      record.keys = loaded->policies->keys().size();
    }
  }
  r.events->submit(std::move(event));
}

std::string describeAccess(const LoadedAccess& loaded) {
  if (!loaded.policies) return "access layer disabled (access.enabled: false)";
  return std::to_string(loaded.policies->rules().size()) + " rules, " +
         std::to_string(loaded.policies->budgets().size()) + " budgets, " +
         std::to_string(loaded.policies->keys().size()) + " keys, " +
         std::to_string(loaded.policies->captures().size()) + " capture entries from " +
         std::to_string(loaded.files.size()) +
         " file(s)" + (loaded.secrets ? ", brokered keys available" : "");
}

// SIGHUP or `wardenctl policy reload`: the policy files are read again; if
// any fails validation nothing changes and the error goes back to the caller
// (and into the audit trail).
Result<nlohmann::json> reloadAccess(Running& r, const std::string& trigger) {
  auto loaded = loadAccess(r.config.access);
  if (!loaded) {
    const std::string error = loaded.error().message;
    logger("app")->error("policy reload ({}) rejected, the running policies stay: {}", trigger, error);
    submitPolicyEvent(r, nullptr, trigger, error);
    return Error{"policy reload rejected, the running policies stay: " + error};
  }
  r.proxy->setAccessPolicies(loaded->policies, loaded->secrets);
  logger("app")->info("policy reload ({}): {}", trigger, describeAccess(*loaded));
  submitPolicyEvent(r, &*loaded, trigger, "");
  nlohmann::json answer = {{"files", loaded->files}};
  if (loaded->policies) {
    answer["rules"] = loaded->policies->rules().size();
    answer["budgets"] = loaded->policies->budgets().size();
    answer["keys"] = loaded->policies->keys().size();
  }
  return answer;
}

void submitLifecycleEvent(Running& r, audit::EventType type) {
  audit::Event event;
  event.type = type;
  event.id = audit::newEventId();
  r.events->submit(std::move(event));
}

// Metrics (config `metrics:`). The families the proxy records into exist
// before it starts; the endpoint, with gauges read from the running parts,
// opens once everything is up, and closes before anything is torn down.
Status prepareMetrics(Running& r) {
  if (!r.config.metrics.enabled) return {};
  auto traffic = metrics::TrafficMetrics::create(r.metrics);
  if (!traffic) return traffic.error().wrap("preparing the metrics");
  r.traffic = std::move(*traffic);
  return {};
}

// Not being able to serve metrics (the port is taken) does not stop the
// agent: protecting traffic matters more than reporting on it.
void serveMetrics(Running& r) {
  if (!r.config.metrics.enabled) {
    logger("app")->info("metrics are disabled (metrics.enabled: false)");
    return;
  }
  if (auto gauges = addAgentGauges(r.metrics, *r.audit, *r.redirector, *r.proxy); !gauges) {
    logger("app")->error("metrics: {}", gauges.error().message);
    return;
  }
  auto server = metrics::MetricsServer::start(r.metrics, r.config.metrics.port);
  if (!server) {
    logger("app")->error("metrics endpoint not started: {} (set metrics.port to a free port, or metrics.enabled: "
                         "false); the agent runs on without it",
                         server.error().message);
    return;
  }
  r.metricsServer = std::move(*server);
}

// The startup steps, in order; each failure says which step failed.
Status start(Running& r, asio::io_context& io) {
  auto log = logger("app");
  auto cgroup = resolveCgroup(r.config);
  if (!cgroup) return cgroup.error();
  r.cgroupPath = *cgroup;

  auto ca = proxy::CertAuthority::loadOrCreate(r.config.stateDir);
  if (!ca) return ca.error().wrap("loading warden's CA from " + r.config.stateDir);
  r.ca = std::shared_ptr<proxy::CertAuthority>(std::move(*ca));
  log->info("CA {} ({})", r.ca->fingerprintSha256(), r.config.stateDir + "/ca.crt");

  // The CA made the state directory: the signing key goes beside its key.
  auto signer = audit::CheckpointSigner::loadOrCreate(r.config.stateDir);
  if (!signer) return signer.error().wrap("loading the event log's signing key from " + r.config.stateDir);
  auto pipeline = AuditPipeline::start(r.config.audit, *signer);
  if (!pipeline) return pipeline.error();
  r.audit = std::move(*pipeline);
  r.events = &r.audit->log();
  log->info("audit spool {} chained, checkpoints signed with key {} ({}); {} sink(s)", r.config.audit.spoolDir,
            (*signer)->keyId(), r.config.stateDir + "/" + audit::kAuditPublicKeyFile, r.config.audit.sinks.size());

  auto netns = kernel::currentNetnsCookie();
  if (!netns) return netns.error().wrap("reading this network namespace's cookie");

  // Layer 1 before any traffic: a rule or model file that is missing or
  // corrupt stops the start instead of letting requests through unchecked.
  std::shared_ptr<const validation::PromptInspector> inspector;
  if (r.config.validation.enabled) {
    auto loaded = loadValidationEngine(r.config.validation);
    if (!loaded) return loaded.error();
    inspector = std::move(loaded.value());
    log->info("validation: {} signature rules from {}; models: injection {}, harmful {}",
              inspector->rules().rules().size(), r.config.validation.rulesDir,
              r.config.validation.injectionModel.empty() ? "none" : r.config.validation.injectionModel,
              r.config.validation.harmfulModel.empty() ? "none" : r.config.validation.harmfulModel);
  } else {
    log->warn("validation is disabled (validation.enabled: false): prompts are not checked");
  }

  // Layer 3 too: a policy with a mistake stops the start rather than
  // letting every workload through unchecked.
  auto access = loadAccess(r.config.access);
  if (!access) return access.error().wrap("loading access policies");
  log->info("access: {}", describeAccess(*access));
  std::shared_ptr<const masking::SensitiveDataScanner> sensitiveScanner;
  if (r.config.access.enabled && !r.config.access.maskingRulesDir.empty()) {
    auto loaded = masking::SensitiveDataScanner::load(r.config.access.maskingRulesDir);
    if (!loaded) return loaded.error().wrap("loading the masking rules");
    sensitiveScanner = std::move(loaded.value());
    log->info("masking: {} secret and personal-data rules from {}", sensitiveScanner->ruleCount(),
              r.config.access.maskingRulesDir);
  }

  // The listener first: a redirected connection must never meet a closed port.
  proxy::ProxyOptions proxyOptions;
  proxyOptions.listenPort = r.config.listenPort;
  proxyOptions.workers = workerCount(r.config);
  proxyOptions.upstreamMark = r.config.agentMark;
  proxyOptions.upstreamExtraCaFile = r.config.upstreamExtraCaFile;
  proxyOptions.upstreamConnectTimeout = r.config.upstreamConnectTimeout;
  proxyOptions.clientHelloTimeout = r.config.clientHelloTimeout;
  proxyOptions.idleTimeout = r.config.idleTimeout;
  proxyOptions.upstreamIdlePerHost = r.config.upstreamIdlePerHost;
  proxyOptions.maxRequestBodyBytes = r.config.maxRequestBodyBytes;
  proxyOptions.maxHeaderBytes = r.config.maxHeaderBytes;
  proxyOptions.maxHeaderCount = r.config.maxHeaderCount;
  proxyOptions.maxJsonDepth = r.config.maxJsonDepth;
  proxyOptions.promptInspector = inspector;
  auto hasher = audit::TextHasher::loadOrCreate(r.config.stateDir);
  if (!hasher) return hasher.error().wrap("loading the audit salt from " + r.config.stateDir);
  proxyOptions.textHasher = *hasher;
  proxyOptions.blockUnreadable = r.config.validation.blockUnreadable;
  if (auto prepared = prepareMetrics(r); !prepared) return prepared.error();
  proxyOptions.metrics = r.traffic.get();
  if (r.config.anomaly.enabled) {
    proxyOptions.anomaly = anomaly::RiskSettings{.halfLife = r.config.anomaly.halfLife,
                                                 .maxWorkloads = r.config.anomaly.maxWorkloads};
  }
  proxyOptions.accessPolicies = access->policies;
  proxyOptions.accessSecrets = access->secrets;
  proxyOptions.sensitiveDataScanner = std::move(sensitiveScanner);
  if (auto lookups = makeWorkloadLookups(r.cgroupPath)) {
    proxyOptions.resolveWorkload = std::move(lookups->resolve);
    proxyOptions.connectionOwner = std::move(lookups->connectionOwner);
    proxyOptions.destinationOf = destinationLookup(r.config);
  } else {
    log->warn("{}: events will carry the kernel's ids only (pid, uid, cgroup id)", lookups.error().message);
  }
  // The lookup reaches the redirector through `r`, which outlives the proxy.
  auto lookup = [&r](const Endpoint& client) -> std::optional<ConnectionOrigin> {
    return r.redirector ? r.redirector->lookupConnection(client) : std::nullopt;
  };
  auto proxy = proxy::Proxy::start(proxyOptions, lookup, r.ca, r.events, interceptNamesOf(r.config));
  if (!proxy) return proxy.error().wrap("starting the proxy");
  r.proxy = std::move(*proxy);

  kernel::RedirectorOptions bpf;
  bpf.cgroupPath = r.cgroupPath;
  bpf.pinDir = r.config.bpfPinDir;
  bpf.listenPort = r.proxy->listenPort();
  bpf.agentMark = r.config.agentMark;
  bpf.failMode = r.config.failMode;
  bpf.heartbeatTimeout = r.config.heartbeatTimeout;
  bpf.agentNetnsCookie = *netns;
  auto redirector = kernel::BpfRedirector::attach(bpf);
  if (!redirector) return redirector.error().wrap("attaching BPF programs to " + r.cgroupPath);
  r.redirector = std::move(*redirector);
  if (auto beat = r.redirector->heartbeat(); !beat) return beat.error().wrap("writing the first heartbeat");
  r.lastHeartbeat = Clock::now();

  r.resolver = std::make_unique<TargetResolver>(r.config, [&r](const std::vector<kernel::TargetEntry>& targets) {
    std::lock_guard lock(r.targetsMutex);
    if (!r.redirector) return;
    if (auto set = r.redirector->setTargets(targets); !set) {
      logger("app")->error("updating the target map: {}", set.error().message);
    } else {
      logger("app")->info("target map now holds {} entries", targets.size());
    }
  });
  r.resolver->start();

  auto control = control::ControlServer::start(io, r.config.controlSocketPath(), controlHandlers(r));
  if (!control) return control.error().wrap("opening the control socket");
  r.control = std::move(*control);

  serveMetrics(r);
  submitLifecycleEvent(r, audit::EventType::AgentStart);
  submitPolicyEvent(r, &*access, "start", "");
  log->info("wardend {} attached to {} (listener port {}, {} workers, fail-{})", WARDEN_VERSION, r.cgroupPath,
            r.proxy->listenPort(), proxyOptions.workers, r.config.failMode == kernel::FailMode::Open ? "open" : "closed");
  return {};
}

// Detach first so new connections go direct, then drain the rest.
void stop(Running& r) {
  auto log = logger("app");
  r.metricsServer.reset();  // its gauges read what is torn down below
  r.control.reset();
  if (r.resolver) r.resolver->stop();
  {
    std::lock_guard lock(r.targetsMutex);
    if (r.redirector) r.redirector->detach();
  }
  if (r.proxy) r.proxy->stop();
  if (r.events) submitLifecycleEvent(r, audit::EventType::AgentStop);
  r.resolver.reset();
  r.redirector.reset();
  r.proxy.reset();
  r.events = nullptr;
  r.audit.reset();  // drains the queue, then the sinks forward what they can
  log->info("stopped; programs detached and pins removed");
}

void scheduleHeartbeat(Running& r, asio::steady_timer& timer) {
  timer.expires_after(r.config.heartbeatInterval);
  timer.async_wait([&r, &timer](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto beat = r.redirector->heartbeat(); beat) {
      r.lastHeartbeat = Clock::now();
    } else {
      logger("app")->error("heartbeat: {}", beat.error().message);
    }
    scheduleHeartbeat(r, timer);
  });
}

}  // namespace

int runAgent(const Options&, Config config) {
  auto log = logger("app");
  ::signal(SIGPIPE, SIG_IGN);  // a peer closing mid-write is an error value, not a death
  asio::io_context io;
  Running running;
  running.config = std::move(config);

  if (auto started = start(running, io); !started) {
    log->error("{}", started.error().message);
    stop(running);
    return 1;
  }

  asio::steady_timer heartbeat(io);
  scheduleHeartbeat(running, heartbeat);

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log->info("signal {}: stopping", signo);
    heartbeat.cancel();
    io.stop();
  });

  // SIGHUP reloads the access policies (the rest of warden.yaml needs a
  // restart); a failed reload is logged and the running policies stay.
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> waitHangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      (void)reloadAccess(running, "sighup");
      waitHangup();
    });
  };
  waitHangup();

  io.run();
  stop(running);
  return 0;
}

}  // namespace warden::app
