// `wardenctl scan`: wardend's layer-1 validation, offline, on a prompt or an
// API request body, built from the configuration wardend reads.
#pragma once

#include <istream>
#include <ostream>

#include "cli/options.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::cli {

// Beyond commands.h's 0/1/2: what the scan found, so scripts can branch on
// it; "3 and above" means something was detected, higher is more severe.
inline constexpr int kExitFlag = 3;
inline constexpr int kExitSanitize = 4;
inline constexpr int kExitBlock = 5;

int exitCodeOf(validation::Verdict verdict);

// Reads the input from options.scan.text, or `in` when there is none.
int runScan(const Options& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
