// `wardenctl metrics`: prints wardend's Prometheus metrics, read from the
// loopback port its configuration names (metrics.port).
#pragma once

#include <ostream>

#include "cli/options.h"

namespace warden::cli {

// Exit status: 0 printed, 1 metrics disabled, unreachable or refused.
int runMetrics(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
