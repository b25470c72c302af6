#include "request_path_bench.h"

#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>

#include "json_upstream.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/event_log.h"
#include "layers/audit/text_hasher.h"
#include "proxy/cert_authority.h"
#include "proxy/proxy.h"

namespace warden::bench {
namespace {

constexpr std::chrono::milliseconds kWarmUp{500};
constexpr std::chrono::seconds kDrainTimeout{10};
constexpr std::chrono::milliseconds kSettle{200};

proxy::ProxyOptions proxyOptions(unsigned workers, std::shared_ptr<const audit::TextHasher> hasher) {
  proxy::ProxyOptions options;
  options.listenPort = 0;
  options.workers = workers;
  options.upstreamMark = 0;  // no CAP_NET_ADMIN needed, and no BPF to honour it
  // wardend hashes prompts whether or not events are logged: both sides pay it.
  options.textHasher = std::move(hasher);
  return options;
}

}  // namespace

Result<RequestPathFigures> runRequestPathBench(const RequestPathRun& run) {
  JsonUpstream upstream;
  auto ca = proxy::CertAuthority::loadOrCreate(run.dir + "/ca");
  if (!ca) return ca.error().wrap("request-path benchmark");
  std::shared_ptr<proxy::CertAuthority> sharedCa(std::move(*ca));
  auto hasher = audit::TextHasher::loadOrCreate(run.dir);
  if (!hasher) return hasher.error().wrap("request-path benchmark");
  auto signer = audit::CheckpointSigner::loadOrCreate(run.dir);
  if (!signer) return signer.error().wrap("request-path benchmark");
  audit::SpoolOptions spool;
  spool.dir = run.dir + "/spool";
  auto log = audit::EventLog::open(spool, *signer);
  if (!log) return log.error().wrap("request-path benchmark");

  // Every connection comes from the benchmark and means the upstream, as
  // the kernel's record would say for a redirected client.
  ConnectionOrigin origin;
  origin.originalDst = upstream.endpoint();
  origin.plainHttpTarget = true;
  origin.identity.tgid = origin.identity.pid = static_cast<uint32_t>(::getpid());
  origin.identity.comm = "audit-bench";
  const proxy::OriginLookup lookup = [origin](const Endpoint&) { return std::optional<ConnectionOrigin>(origin); };

  const auto options = proxyOptions(run.workers, *hasher);
  auto off = proxy::Proxy::start(options, lookup, sharedCa, nullptr, {"api.openai.com"});
  if (!off) return off.error().wrap("request-path benchmark: start the proxy without audit");
  auto on = proxy::Proxy::start(options, lookup, sharedCa, log->get(), {"api.openai.com"});
  if (!on) return on.error().wrap("request-path benchmark: start the proxy with audit");
  const uint16_t ports[2] = {(*off)->listenPort(), (*on)->listenPort()};

  driveLoad(ports[0], run.connections, kWarmUp);
  const uint64_t warmUpRequests = driveLoad(ports[1], run.connections, kWarmUp).latencyMicros.size();

  RequestPathFigures figures;
  const std::chrono::duration<double> each(run.seconds);
  const unsigned connectionCounts[2] = {1, run.connections};
  for (unsigned round = 0; round < run.rounds; ++round) {
    for (int variant = 0; variant < 2; ++variant) {
      // Which side goes first alternates, so a trend in the machine's load
      // favours neither.
      const bool onFirst = (round + static_cast<unsigned>(variant)) % 2 == 1;
      for (int turn = 0; turn < 2; ++turn) {
        const bool audited = (turn == 0) == onFirst;
        LoadFigures result = driveLoad(ports[audited ? 1 : 0], connectionCounts[variant], each);
        (audited ? figures.on : figures.off)[variant].add(result);
      }
    }
  }
  // The last answers' events are submitted just after the client read
  // them; a proxy stopped at once loses those still in flight.
  std::this_thread::sleep_for(kSettle);
  (*on)->stop();  // its workers hand their last events to the log
  (*off)->stop();
  // One event per answered request is the least the audited side owes.
  figures.eventsExpected = warmUpRequests + figures.on[0].latencyMicros.size() + figures.on[1].latencyMicros.size();
  const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
  while ((*log)->written() + (*log)->dropped() < figures.eventsExpected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  figures.eventsWritten = (*log)->written();
  figures.eventsDropped = (*log)->dropped();
  return figures;
}

}  // namespace warden::bench
