#include "spool_bench.h"

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "bench_pki.h"
#include "event_producers.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/event_log.h"
#include "layers/audit/sinks/sink_factory.h"
#include "layers/audit/sinks/sink_runner.h"
#include "syslog_receiver.h"

namespace warden::bench {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Polls gently: the benchmark's own thread must not take a core from the
// threads it measures.
bool waitUntil(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

constexpr std::chrono::seconds kCatchUpTimeout{300};

}  // namespace

Result<SpoolFigures> runSpoolBench(const SpoolRun& run) {
  auto signer = audit::CheckpointSigner::loadOrCreate(run.stateDir);
  if (!signer) return signer.error().wrap("spool benchmark");
  audit::SpoolOptions options;
  options.dir = run.dir;
  auto log = audit::EventLog::open(options, *signer);
  if (!log) return log.error().wrap("spool benchmark");

  SpoolFigures figures;
  figures.events = run.events;
  const auto start = Clock::now();
  const ProducerFigures produced = produceEvents(**log, run.events, run.threads, options.maxQueued);
  if (!waitUntil([&] { return (*log)->written() + (*log)->dropped() >= run.events; }, kCatchUpTimeout)) {
    return Error{"spool benchmark: the log did not write the events within 5 minutes"};
  }
  figures.writtenSeconds = secondsSince(start);
  if (!waitUntil([&] { return (*log)->synced() >= (*log)->written(); }, kCatchUpTimeout)) {
    return Error{"spool benchmark: the log did not sync the events within 5 minutes"};
  }
  figures.syncedSeconds = secondsSince(start);
  figures.spoolBytes = (*log)->spoolBytes();
  figures.checkpoints = run.events / audit::EventLog::kCheckpointLines;
  figures.dropped = (*log)->dropped() + produced.refused;
  figures.producerWaits = produced.waits;
  return figures;
}

Result<SyslogFigures> runSyslogBench(const SpoolRun& run) {
  auto pki = makeBenchPki(run.stateDir);
  if (!pki) return pki.error().wrap("syslog benchmark");
  auto receiver = SyslogReceiver::start(*pki);
  if (!receiver) return receiver.error().wrap("syslog benchmark");
  auto signer = audit::CheckpointSigner::loadOrCreate(run.stateDir);
  if (!signer) return signer.error().wrap("syslog benchmark");

  // Wired as wardend's audit pipeline does it: the runner publishes its
  // cursor before the spool opens, and wakes on every append.
  audit::SinkConfig sinkConfig;
  sinkConfig.name = "bench-syslog";
  sinkConfig.type = audit::SinkType::Syslog;
  sinkConfig.address = "127.0.0.1:" + std::to_string((*receiver)->port());
  sinkConfig.tls = true;
  sinkConfig.caFile = pki->caFile;
  auto sink = audit::makeSink(sinkConfig);
  if (!sink) return sink.error().wrap("syslog benchmark");
  auto cursors = std::make_shared<audit::SpoolCursors>();
  audit::SinkRunnerOptions runnerOptions;
  runnerOptions.batchEvents = sinkConfig.batchEvents;
  auto runner = std::make_unique<audit::SinkRunner>(sinkConfig.name, std::move(*sink), run.dir, *cursors, runnerOptions);
  audit::SpoolOptions options;
  options.dir = run.dir;
  auto log = audit::EventLog::open(options, *signer, cursors);
  if (!log) return log.error().wrap("syslog benchmark");
  audit::SinkRunner* notified = runner.get();
  (*log)->onAppended([notified] { notified->notify(); });

  SyslogFigures figures;
  figures.events = run.events;
  const auto start = Clock::now();
  const ProducerFigures produced = produceEvents(**log, run.events, run.threads, options.maxQueued);
  waitUntil([&] { return (*log)->written() + (*log)->dropped() >= run.events; }, kCatchUpTimeout);
  figures.writtenSeconds = secondsSince(start);
  figures.complete = waitUntil([&] { return (*receiver)->requestEvents() >= run.events; }, kCatchUpTimeout);
  figures.deliveredSeconds = secondsSince(start);
  figures.frames = (*receiver)->frames();
  figures.wireBytes = (*receiver)->bytes();
  figures.connections = (*receiver)->connections();
  figures.dropped = (*log)->dropped() + produced.refused;
  figures.sinkFailures = runner->status().failures;
  // The log closes first (its last checkpoint goes to the sink), then the
  // runner, then the receiver it talks to.
  log->reset();
  runner->stop();
  return figures;
}

}  // namespace warden::bench
