// HTTP/1.1 on one client connection (TLS-terminated or plain): reads
// requests one after another on the keep-alive connection, decides each,
// forwards it and writes one audit event per request.
#pragma once

#include "proxy/connection_info.h"
#include "proxy/stream.h"
#include "proxy/worker_context.h"

namespace warden::proxy {

asio::awaitable<void> serveHttp(WorkerContext& worker, Stream client, ConnectionInfo info);

}  // namespace warden::proxy
