// Drives the proxy: `connections` keep-alive connections on one thread, each
// sending a chat completion request as soon as the previous answer arrived,
// for a fixed time. Records every request's latency.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace warden::bench {

struct LoadFigures {
  std::vector<double> latencyMicros;  // one per answered request
  double seconds = 0;                 // wall time of the run(s)
  uint64_t errors = 0;                // failed round trips or non-200 answers

  void add(const LoadFigures& other);
  double requestsPerSecond() const;
  // Nearest-rank percentile (0 < p <= 100) of the latencies; 0 with none.
  double percentile(double p) const;
};

LoadFigures driveLoad(uint16_t proxyPort, unsigned connections, std::chrono::duration<double> duration);

}  // namespace warden::bench
