// Everything that happens to one accepted connection: who it belongs to,
// where it was going, and whether it is intercepted, tunnelled or relayed as
// plain HTTP.
#pragma once

#include "proxy/net_types.h"
#include "proxy/worker_context.h"

namespace warden::proxy {

// Never throws: failures are counted and logged, the connection is closed.
asio::awaitable<void> serveConnection(WorkerContext& worker, Tcp::socket client);

}  // namespace warden::proxy
