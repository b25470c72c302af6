// Runs one parsed wardenctl command: against the agent, or offline (scan).
#pragma once

#include <istream>
#include <ostream>

#include "cli/options.h"

namespace warden::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Writes results to `out`, "wardenctl: ..." errors to `err`; returns the exit
// status. `scan` reads its input from `in` when it is given no TEXT.
int runCommand(const Options& options, std::istream& in, std::ostream& out, std::ostream& err);
// The same, with standard input.
int runCommand(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
