// A listening socket for one worker on a loopback address. Every worker
// binds its own socket to the same port with SO_REUSEPORT so the kernel
// spreads new connections across workers without a shared accept queue.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "proxy/net_types.h"

namespace warden::proxy {

// IPv6 listeners are IPV6_V6ONLY: IPv4 clients reach the IPv4 listener, so
// peer addresses arrive in the form the kernel recorded them.
Result<Tcp::acceptor> openListener(asio::io_context& io, const asio::ip::address& address, uint16_t port);

// False on hosts booted with IPv6 disabled: then we listen on IPv4 only.
bool ipv6LoopbackUsable(asio::io_context& io);

}  // namespace warden::proxy
