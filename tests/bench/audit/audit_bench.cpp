// What auditing costs, in one run on this machine: events per second into
// the spool and through a syslog TLS sink, and the latency and throughput
// of the request path with audit off and on (ratios against the baseline
// measured in the same run). Prints figures; it is not a test.
//
//   warden-audit-bench [--spool-events N] [--sink-events N] [--threads N]
//                      [--rounds N] [--seconds S] [--connections N]
//                      [--workers N] [--dir DIR] [--parts spool,syslog,request]
#include <stdlib.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "bench_events.h"
#include "core/log.h"
#include "layers/audit/event_log.h"
#include "request_path_bench.h"
#include "spool_bench.h"

namespace {

using namespace warden::bench;

struct Flags {
  uint64_t spoolEvents = 200000;
  uint64_t sinkEvents = 50000;
  unsigned threads = 2;
  unsigned rounds = 10;
  double seconds = 0.8;
  unsigned connections = 8;
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());  // wardend's default: one per core
  std::string dir = getenv("TMPDIR") != nullptr ? getenv("TMPDIR") : "/tmp";
  std::string parts = "spool,syslog,request";

  bool wants(const char* part) const { return parts.find(part) != std::string::npos; }
};

void usage() {
  std::fprintf(stderr,
               "usage: warden-audit-bench [--spool-events N] [--sink-events N] [--threads N] [--rounds N]\n"
               "                          [--seconds S] [--connections N] [--workers N] [--dir DIR]\n"
               "                          [--parts spool,syslog,request]\n");
}

bool parseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (i + 1 >= argc) {
      usage();
      return false;
    }
    const char* value = argv[++i];
    char* end = nullptr;
    const double number = std::strtod(value, &end);
    const bool numeric = end != value && *end == '\0' && number > 0;
    if (name == "--dir") {
      flags.dir = value;
    } else if (name == "--parts") {
      flags.parts = value;
    } else if (!numeric) {
      std::fprintf(stderr, "%s needs a positive number, not \"%s\"\n", name.c_str(), value);
      return false;
    } else if (name == "--spool-events") {
      flags.spoolEvents = static_cast<uint64_t>(number);
    } else if (name == "--sink-events") {
      flags.sinkEvents = static_cast<uint64_t>(number);
    } else if (name == "--threads") {
      flags.threads = static_cast<unsigned>(number);
    } else if (name == "--rounds") {
      flags.rounds = static_cast<unsigned>(number);
    } else if (name == "--seconds") {
      flags.seconds = number;
    } else if (name == "--connections") {
      flags.connections = static_cast<unsigned>(number);
    } else if (name == "--workers") {
      flags.workers = static_cast<unsigned>(number);
    } else {
      usage();
      return false;
    }
  }
  return true;
}

// Removed on every way out of main.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent) {
    std::string pattern = parent + "/warden-audit-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string make(const std::string& name) const {
    std::filesystem::create_directories(path_ + "/" + name);
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

// The spool's speed depends on what fdatasync costs there.
const char* fileSystemOf(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    default: return "other";
  }
}

double ratio(double on, double off) { return off > 0 ? on / off : 0; }
double perSecond(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

void printRequestRow(const char* label, const LoadFigures& off, const LoadFigures& on) {
  const double p50off = off.percentile(50), p50on = on.percentile(50);
  const double p99off = off.percentile(99), p99on = on.percentile(99);
  std::printf("  %-6s %9.0f %9.0f %6.3f   %9.0f %9.0f %6.3f   %9.0f %9.0f %6.3f   %llu/%llu\n", label, p50off, p50on,
              ratio(p50on, p50off), p99off, p99on, ratio(p99on, p99off), off.requestsPerSecond(),
              on.requestsPerSecond(), ratio(on.requestsPerSecond(), off.requestsPerSecond()),
              static_cast<unsigned long long>(off.errors), static_cast<unsigned long long>(on.errors));
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!parseFlags(argc, argv, flags)) return 2;
  warden::setLogLevel(spdlog::level::warn);
  ScratchDir scratch(flags.dir);
  if (scratch.path().empty()) {
    std::fprintf(stderr, "cannot create a scratch directory in %s: %s (choose another with --dir)\n",
                 flags.dir.c_str(), std::strerror(errno));
    return 1;
  }
  const size_t lineBytes = requestEventLineBytes();
  std::printf("warden audit benchmark: %u CPUs, spool on %s (%s), request event line %zu bytes\n",
              std::thread::hardware_concurrency(), fileSystemOf(scratch.path()), scratch.path().c_str(), lineBytes);
  std::string keys;
  auto key = [&keys](const std::string& name, double value) {
    char text[96];
    std::snprintf(text, sizeof(text), "%s=%.6g\n", name.c_str(), value);
    keys += text;
  };

  if (flags.wants("spool") || flags.wants("syslog")) {
    std::printf("\n%u submitting threads, batches of 256, signed checkpoint every %llu lines\n", flags.threads,
                static_cast<unsigned long long>(warden::audit::EventLog::kCheckpointLines));
    std::printf("  %-30s %9s %9s %11s %8s %8s\n", "until", "events", "seconds", "events/s", "MB/s", "dropped");
  }
  if (flags.wants("spool")) {
    const SpoolRun run{scratch.make("spool"), scratch.make("spool-state"), flags.spoolEvents, flags.threads};
    auto spool = runSpoolBench(run);
    if (!spool) {
      std::fprintf(stderr, "%s\n", spool.error().message.c_str());
      return 1;
    }
    const double bytes = static_cast<double>(spool->spoolBytes);
    const double events = static_cast<double>(spool->events);
    std::printf("  %-30s %9llu %9.3f %11.0f %8.1f %8llu\n", "spool: written()", static_cast<unsigned long long>(spool->events),
                spool->writtenSeconds, perSecond(events, spool->writtenSeconds),
                perSecond(bytes, spool->writtenSeconds) / 1e6, static_cast<unsigned long long>(spool->dropped));
    std::printf("  %-30s %9llu %9.3f %11.0f %8.1f %8llu\n", "spool: synced()", static_cast<unsigned long long>(spool->events),
                spool->syncedSeconds, perSecond(events, spool->syncedSeconds),
                perSecond(bytes, spool->syncedSeconds) / 1e6, static_cast<unsigned long long>(spool->dropped));
    key("spool_events", events);
    key("spool_bytes", bytes);
    key("spool_written_events_per_s", perSecond(events, spool->writtenSeconds));
    key("spool_synced_events_per_s", perSecond(events, spool->syncedSeconds));
    key("spool_synced_mb_per_s", perSecond(bytes, spool->syncedSeconds) / 1e6);
    key("spool_dropped", static_cast<double>(spool->dropped));
    key("spool_producer_waits", static_cast<double>(spool->producerWaits));
  }
  if (flags.wants("syslog")) {
    const SpoolRun run{scratch.make("syslog"), scratch.make("syslog-state"), flags.sinkEvents, flags.threads};
    auto syslog = runSyslogBench(run);
    if (!syslog) {
      std::fprintf(stderr, "%s\n", syslog.error().message.c_str());
      return 1;
    }
    const double events = static_cast<double>(syslog->events);
    std::printf("  %-30s %9llu %9.3f %11.0f %8.1f %8llu%s\n", "spool + syslog TLS: received",
                static_cast<unsigned long long>(syslog->events), syslog->deliveredSeconds,
                perSecond(events, syslog->deliveredSeconds),
                perSecond(static_cast<double>(syslog->wireBytes), syslog->deliveredSeconds) / 1e6,
                static_cast<unsigned long long>(syslog->dropped), syslog->complete ? "" : "  INCOMPLETE");
    std::printf("  (spool had them after %.3f s; receiver read %llu frames on %llu connection(s); %llu sink failures)\n",
                syslog->writtenSeconds, static_cast<unsigned long long>(syslog->frames),
                static_cast<unsigned long long>(syslog->connections),
                static_cast<unsigned long long>(syslog->sinkFailures));
    key("syslog_events", events);
    key("syslog_events_per_s", perSecond(events, syslog->deliveredSeconds));
    key("syslog_wire_mb_per_s", perSecond(static_cast<double>(syslog->wireBytes), syslog->deliveredSeconds) / 1e6);
    key("syslog_complete", syslog->complete ? 1 : 0);
    key("syslog_sink_failures", static_cast<double>(syslog->sinkFailures));
    if (!syslog->complete) return 1;
  }
  if (flags.wants("request")) {
    const RequestPathRun run{scratch.make("request"), flags.workers, flags.connections, flags.rounds, flags.seconds};
    std::printf("\nrequest path: plain HTTP proxy, %u workers, POST /v1/chat/completions, %u interleaved rounds of "
                "%.1f s per side\n",
                run.workers, run.rounds, run.seconds);
    auto request = runRequestPathBench(run);
    if (!request) {
      std::fprintf(stderr, "%s\n", request.error().message.c_str());
      return 1;
    }
    std::printf("  %-6s %9s %9s %6s   %9s %9s %6s   %9s %9s %6s   %s\n", "conns", "p50 off", "p50 on", "on/off",
                "p99 off", "p99 on", "on/off", "req/s off", "req/s on", "on/off", "errors off/on");
    std::printf("  %-6s %9s %9s %6s   %9s %9s %6s\n", "", "us", "us", "", "us", "us", "");
    const std::string concurrent = "c" + std::to_string(run.connections);
    printRequestRow("c1", request->off[0], request->on[0]);
    printRequestRow(concurrent.c_str(), request->off[1], request->on[1]);
    std::printf("  audited side: %llu events written for %llu answered requests, %llu dropped\n",
                static_cast<unsigned long long>(request->eventsWritten),
                static_cast<unsigned long long>(request->eventsExpected),
                static_cast<unsigned long long>(request->eventsDropped));
    const char* labels[2] = {"c1", "cn"};
    for (int v = 0; v < 2; ++v) {
      const std::string p = std::string("request_") + labels[v] + "_";
      const auto& off = request->off[v];
      const auto& on = request->on[v];
      key(p + "p50_us_off", off.percentile(50));
      key(p + "p50_us_on", on.percentile(50));
      key(p + "p50_ratio", ratio(on.percentile(50), off.percentile(50)));
      key(p + "p99_us_off", off.percentile(99));
      key(p + "p99_us_on", on.percentile(99));
      key(p + "p99_ratio", ratio(on.percentile(99), off.percentile(99)));
      key(p + "rps_off", off.requestsPerSecond());
      key(p + "rps_on", on.requestsPerSecond());
      key(p + "rps_ratio", ratio(on.requestsPerSecond(), off.requestsPerSecond()));
    }
    key("request_connections_cn", run.connections);
    key("request_events_written", static_cast<double>(request->eventsWritten));
    key("request_events_expected", static_cast<double>(request->eventsExpected));
  }
  std::printf("\n%s", keys.c_str());
  return 0;
}
