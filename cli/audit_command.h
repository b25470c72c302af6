// `wardenctl audit verify [FILE]`: checks the event log's hash chain
// offline and names the first line where it breaks.
#pragma once

#include <ostream>

#include "cli/options.h"

namespace warden::cli {

// Exit status: 0 the chain holds, 1 it breaks (or the file cannot be read).
int runAuditVerify(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
