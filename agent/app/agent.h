// wardend's main thread: ordered startup steps, then the main event loop
// (control socket, heartbeat, signals) while the proxy workers serve traffic.
//
// Order matters for safety: the listener is up before any program is
// attached, so a redirected connection never meets a closed port; on stop,
// programs are detached before the listener closes, so clients go direct.
#pragma once

#include <memory>

#include "app/config.h"
#include "app/options.h"
#include "core/result.h"

namespace warden::app {

// Runs the agent until SIGTERM/SIGINT. Returns the process exit code.
int runAgent(const Options& options, Config config);

}  // namespace warden::app
