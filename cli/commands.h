// Runs one parsed wardenctl command against the agent.
#pragma once

#include <ostream>

#include "cli/options.h"

namespace warden::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Writes results to `out`, "wardenctl: ..." errors to `err`; returns the exit status.
int runCommand(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
