#include "proxy/connection.h"

#include <chrono>
#include <optional>
#include <string>

#include "core/log.h"
#include "proxy/connection_info.h"
#include "proxy/endpoint_convert.h"
#include "proxy/hello_reader.h"
#include "proxy/http_session.h"
#include "proxy/offload.h"
#include "proxy/tls_alerts.h"
#include "proxy/tunnel.h"
#include "proxy/upstream_connector.h"
#include "proxy/watchdog.h"

namespace warden::proxy {
namespace {

using Clock = std::chrono::steady_clock;
using ServerContext = std::shared_ptr<asio::ssl::context>;

std::string who(const ConnectionInfo& info) {
  const auto& id = info.origin.identity;
  if (id.comm.empty()) return info.client.toString();
  return id.comm + "[" + std::to_string(id.tgid) + "]";
}

void closeQuietly(Tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

void countConnection(WorkerContext& worker, metrics::ConnectionMode mode) {
  if (auto* metrics = worker.shared.metrics) metrics->recordConnection(mode);
}

asio::awaitable<void> tunnel(WorkerContext& worker, Tcp::socket client, ConnectionInfo info) {
  const auto start = Clock::now();
  const auto& options = worker.shared.options;
  auto& stats = worker.shared.stats;
  auto event = makeEvent(audit::EventType::Tunnel, info);
  auto finish = [&](std::string error) {
    event.error = std::move(error);
    event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    worker.events.submit(std::move(event));
  };

  // A tunnel with a server name is another site sharing the API's address:
  // left alone. One without (a raw IP, or not TLS) may be an API call that
  // hides its name, so the workload's policy judges it on who and where.
  if (info.sni.empty()) {
    // A workload cut off for its risk score is cut off here too.
    double risk = 0;
    if (const auto& tracker = worker.shared.risk) {
      if (const std::string key = workloadKeyOf(info); !key.empty()) {
        risk = tracker->score(key, std::chrono::steady_clock::now());
        event.anomaly = audit::AnomalyRecord{.score = risk};
      }
    }
    auto verdict = worker.shared.access.checkTunnel(info, info.origin.originalDst.addressString(), risk);
    if (!verdict.record.action.empty()) event.access = verdict.record;
    if (verdict.refuse) {
      event.decision = "deny";
      logger("proxy")->info("tunnel for {} to {} refused by access policy: {}", who(info),
                            info.origin.originalDst.toString(), verdict.reason);
      finish("refused by access policy: " + verdict.reason);
      co_return;
    }
  }
  auto executor = co_await asio::this_coro::executor;
  auto opened = openMarkedSocket(executor, info.origin.originalDst, options.upstreamMark);
  if (!opened) {
    ProxyStats::bump(stats.errors);
    logger("proxy")->warn("tunnel for {}: {}", who(info), opened.error().message);
    finish(opened.error().message);
    co_return;
  }
  Tcp::socket upstream = std::move(opened.value());
  {
    Watchdog deadline(executor, options.upstreamConnectTimeout, [&upstream] { closeQuietly(upstream); });
    auto [ec] = co_await upstream.async_connect(toAsio(info.origin.originalDst), kUseTuple);
    if (ec) {
      const std::string error = "connect to " + info.origin.originalDst.toString() + ": " +
                                (deadline.expired() ? std::string("timed out") : ec.message());
      ProxyStats::bump(stats.errors);
      if (auto* metrics = worker.shared.metrics) metrics->recordUpstreamError();
      logger("proxy")->info("tunnel for {}: {}", who(info), error);
      finish(error);
      co_return;
    }
  }
  auto outcome = co_await runTunnel(client, upstream, options.idleTimeout);
  event.bytesFromClient = outcome.bytesFromClient;
  event.bytesToClient = outcome.bytesToClient;
  finish(outcome.error);
}

// Minting the first leaf for a name is CPU work: do it off the event loop.
asio::awaitable<Result<ServerContext>> serverContextFor(WorkerContext& worker, const std::string& name) {
  if (auto cached = worker.shared.serverContexts.cached(name)) co_return cached;
  auto& contexts = worker.shared.serverContexts;
  auto mint = [&contexts, name]() -> Result<ServerContext> { return contexts.forHost(name); };
  auto minted = co_await runOffLoop(worker.shared.mintPool, std::move(mint));
  co_return minted;
}

asio::awaitable<void> intercept(WorkerContext& worker, Tcp::socket client, ConnectionInfo info) {
  auto& stats = worker.shared.stats;
  auto context = co_await serverContextFor(worker, info.sni);
  if (!context) {
    ProxyStats::bump(stats.errors);
    logger("proxy")->error("cannot serve TLS for {}: {}", info.sni, context.error().message);
    co_return;
  }
  TlsStream tls(std::move(client), **context);
  {
    auto executor = co_await asio::this_coro::executor;
    Watchdog deadline(executor, worker.shared.options.clientHelloTimeout, [&tls] { closeQuietly(tls.next_layer()); });
    auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (ec) {
      // The attribution is counted before the failure, so whoever sees the failure also sees who it was.
      if (isCertificateRejection(ec)) stats.countUntrustedCa(info.origin.identity.comm);
      ProxyStats::bump(stats.handshakeFailures);
      if (auto* metrics = worker.shared.metrics) metrics->recordHandshakeFailure();
      if (isCertificateRejection(ec)) {
        logger("proxy")->warn(
            "{} rejected warden's certificate for {} ({}): make this runtime trust the warden CA, "
            "or exclude it if it pins certificates",
            who(info), info.sni, ec.message());
      } else {
        logger("proxy")->debug("TLS handshake with {} for {} failed: {}", who(info), info.sni,
                               deadline.expired() ? std::string("timed out") : ec.message());
      }
      co_return;
    }
  }
  ProxyStats::bump(stats.intercepted);
  Stream stream(std::move(tls));
  co_await serveHttp(worker, std::move(stream), std::move(info));
}

asio::awaitable<std::shared_ptr<const audit::WorkloadRecord>> resolveWorkload(WorkerContext& worker,
                                                                              const KernelIdentity& kernel) {
  const auto& resolve = worker.shared.options.resolveWorkload;
  if (!resolve) co_return nullptr;
  auto job = [&resolve, kernel] { return resolve(kernel); };
  auto workload = co_await runOffLoop(worker.shared.identityPool, std::move(job));
  worker.shared.workloads.noteConnection(workload, std::chrono::system_clock::now());
  co_return workload;
}

// A connection the kernel has no record of: its record was evicted in a
// burst of connects, or a local client dialled the agent's port itself. The
// client's socket is on this host, so the kernel still says who owns it; and
// a TLS connection for an intercepted name can only be meant for that name.
// Anything else is refused: there is no knowing where it was going. Returns
// why not, or "" with info's origin filled in.
asio::awaitable<std::string> adoptUnrecorded(WorkerContext& worker, const Tcp::socket& client,
                                             const std::optional<HelloParse>& hello, ConnectionInfo& info) {
  const auto& options = worker.shared.options;
  if (!options.connectionOwner || !options.destinationOf) co_return "the agent cannot look up socket owners";
  if (!hello || hello->status != HelloStatus::Complete) co_return "it is not TLS";
  const std::string name = hello->info.serverName.value_or("");
  if (name.empty() || worker.shared.interceptNames.load()->count(name) == 0) {
    co_return "it is not TLS for an intercepted name (server name \"" + name + "\")";
  }
  boost::system::error_code ec;
  const Endpoint agentSide = fromAsio(client.local_endpoint(ec));
  if (ec) co_return "the connection is gone";
  // Each costs a walk of /proc and a DNS query: a local process looping on
  // wardend's port must not hold up the workload lookups of everyone else.
  auto& inFlight = worker.shared.adoptionsInFlight;
  if (inFlight.fetch_add(1) >= ProxyShared::kMaxAdoptionsInFlight) {
    inFlight.fetch_sub(1);
    co_return "too many such connections are being looked up already";
  }
  // Given back however this ends, a frame destroyed at shutdown included.
  struct Slot {
    decltype(inFlight)& count;
    ~Slot() { count.fetch_sub(1); }
  } slot{inFlight};
  struct Adopted {
    Result<KernelIdentity> owner = Error{"not looked up"};
    Result<Endpoint> destination = Error{"not looked up"};
  };
  auto job = [&options, client = info.client, agentSide, name] {
    Adopted adopted;
    adopted.owner = options.connectionOwner(client, agentSide);
    if (adopted.owner) adopted.destination = options.destinationOf(name);
    return adopted;
  };
  auto adopted = co_await runOffLoop(worker.shared.identityPool, std::move(job));
  if (!adopted.owner) co_return "its owner cannot be served: " + adopted.owner.error().message;
  if (!adopted.destination) co_return adopted.destination.error().message;
  info.origin.identity = std::move(adopted.owner).value();
  info.origin.originalDst = *adopted.destination;
  co_return "";
}

asio::awaitable<void> dispatch(WorkerContext& worker, Tcp::socket client) {
  auto& stats = worker.shared.stats;
  ProxyStats::bump(stats.connections);
  boost::system::error_code ec;
  const auto peer = client.remote_endpoint(ec);
  if (ec) co_return;  // already gone
  client.set_option(Tcp::no_delay(true), ec);

  ConnectionInfo info;
  info.client = fromAsio(peer);
  auto origin = worker.shared.lookup(info.client);
  if (origin) {
    info.origin = std::move(*origin);
    // At once, before the client says anything: a process that connected and
    // then exec'd another binary while a child held the socket must not be
    // named after that binary.
    info.workload = co_await resolveWorkload(worker, info.origin.identity);
  }

  if (origin && info.origin.plainHttpTarget) {
    info.mode = "plain";
    ProxyStats::bump(stats.plainHttp);
    countConnection(worker, metrics::ConnectionMode::Plain);
    Stream stream(std::move(client));
    co_await serveHttp(worker, std::move(stream), std::move(info));
    co_return;
  }

  std::optional<HelloParse> hello;
  {
    auto executor = co_await asio::this_coro::executor;
    Watchdog deadline(executor, worker.shared.options.clientHelloTimeout, [&client] { closeQuietly(client); });
    auto peeked = co_await peekClientHello(client);
    if (!peeked) {
      if (deadline.expired()) {
        ProxyStats::bump(stats.errors);
        logger("proxy")->debug("{} sent no complete ClientHello within {} ms; closing", who(info),
                               worker.shared.options.clientHelloTimeout.count());
      }
      if (!origin) ProxyStats::bump(stats.noOrigin);
      co_return;
    }
    hello = std::move(peeked.value());
  }
  if (!origin) {
    if (auto refused = co_await adoptUnrecorded(worker, client, hello, info); !refused.empty()) {
      ProxyStats::bump(stats.noOrigin);
      logger("proxy")->debug("connection from {} has no kernel record and {}; closing", info.client.toString(),
                            refused);
      co_return;
    }
    ProxyStats::bump(stats.noOriginServed);
    logger("proxy")->debug("connection from {} has no kernel record: served as {}, owner of its socket",
                           info.client.toString(), who(info));
    info.workload = co_await resolveWorkload(worker, info.origin.identity);
  }

  std::optional<std::string> serverName;
  if (hello->status == HelloStatus::Complete) serverName = hello->info.serverName;
  info.sni = serverName.value_or("");
  const auto names = worker.shared.interceptNames.load();
  if (serverName && names->count(*serverName) > 0) {
    info.mode = "intercept";
    countConnection(worker, metrics::ConnectionMode::Intercept);
    co_await intercept(worker, std::move(client), std::move(info));
  } else {
    info.mode = "tunnel";
    ProxyStats::bump(stats.tunnelled);
    countConnection(worker, metrics::ConnectionMode::Tunnel);
    co_await tunnel(worker, std::move(client), std::move(info));
  }
}

}  // namespace

asio::awaitable<void> serveConnection(WorkerContext& worker, Tcp::socket client) {
  try {
    co_await dispatch(worker, std::move(client));
  } catch (const std::exception& e) {
    // A bug or resource exhaustion: count it, keep the worker serving others.
    ProxyStats::bump(worker.shared.stats.errors);
    logger("proxy")->error("connection handler failed: {}", e.what());
  }
}

}  // namespace warden::proxy
