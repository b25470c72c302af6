// The configuration wardenctl's offline commands (scan, audit verify) read,
// found as wardend finds it: a missing default file means the built-in
// defaults, a missing file given with --config is an error.
#pragma once

#include <ostream>
#include <string>

#include "app/config.h"
#include "core/result.h"

namespace warden::cli {

// `quiet`: say nothing on `err` when the defaults stand in for a missing file.
Result<app::Config> loadAgentConfig(const std::string& path, bool given, bool quiet, std::ostream& err);

}  // namespace warden::cli
