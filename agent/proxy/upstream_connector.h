// Opens a new connection to the original destination for the HTTP relay:
// marked so the BPF program lets it through, bounded by the connect timeout,
// and for TLS verified against the server name the client asked for.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/result.h"
#include "proxy/net_types.h"
#include "proxy/upstream_pool.h"

namespace warden::proxy {

struct UpstreamDialOptions {
  uint32_t mark = 0;
  std::chrono::milliseconds timeout{5000};
  asio::ssl::context* tls = nullptr;  // required when key.tls
};

asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> connectUpstream(const UpstreamKey& key,
                                                                            const UpstreamDialOptions& options);

// A plain TCP socket to `dst` with SO_MARK set before connect(); used by the
// tunnel too. The caller bounds the connect with its own watchdog.
Result<Tcp::socket> openMarkedSocket(const asio::any_io_executor& executor, const Endpoint& dst, uint32_t mark);

}  // namespace warden::proxy
