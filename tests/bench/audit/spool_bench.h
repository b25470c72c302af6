// Events per second through the audit spool alone, and through the spool
// and a syslog TLS sink to a receiver on loopback.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace warden::bench {

struct SpoolRun {
  std::string dir;         // a fresh directory, removed by the caller
  std::string stateDir;    // where the checkpoint signer's key is made
  uint64_t events = 0;
  unsigned threads = 2;
};

struct SpoolFigures {
  uint64_t events = 0;
  uint64_t spoolBytes = 0;   // the spool's bytes, checkpoints included
  uint64_t checkpoints = 0;  // expected from the event count (one per kCheckpointLines)
  double writtenSeconds = 0;  // first submit until written() reached events
  double syncedSeconds = 0;   // ... until synced() did
  uint64_t dropped = 0;
  uint64_t producerWaits = 0;
};

Result<SpoolFigures> runSpoolBench(const SpoolRun& run);

struct SyslogFigures {
  uint64_t events = 0;
  double writtenSeconds = 0;    // first submit until the spool had them all
  double deliveredSeconds = 0;  // first submit until the receiver had counted them all
  uint64_t frames = 0;          // events and checkpoints the receiver read
  uint64_t wireBytes = 0;       // TLS plaintext bytes the receiver read
  uint64_t connections = 0;
  uint64_t sinkFailures = 0;
  uint64_t dropped = 0;
  bool complete = false;        // false: the receiver did not get them all in time
};

Result<SyslogFigures> runSyslogBench(const SpoolRun& run);

}  // namespace warden::bench
