// The added latency of auditing on the request path: two in-process proxies
// (plain HTTP, no BPF) in front of one loopback upstream, one without an
// event log (audit off) and one with an EventLog of default options and a
// checkpoint signer (audit on), driven in interleaved rounds so that noise
// on the shared machine hits both.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "load_client.h"

namespace warden::bench {

struct RequestPathRun {
  std::string dir;  // CA, salt, signer key and the spool go here
  unsigned workers = 2;
  unsigned connections = 8;  // of the concurrent variant
  unsigned rounds = 10;
  double seconds = 0.8;  // per variant, mode and round
};

struct RequestPathFigures {
  // [0]: one connection, [1]: `connections` connections.
  LoadFigures off[2];
  LoadFigures on[2];
  uint64_t eventsExpected = 0;  // requests the audited proxy answered, warm-up included
  uint64_t eventsWritten = 0;   // by its log
  uint64_t eventsDropped = 0;
};

Result<RequestPathFigures> runRequestPathBench(const RequestPathRun& run);

}  // namespace warden::bench
