// Between warden::Endpoint (the kernel's view) and Asio endpoints.
#pragma once

#include "core/endpoint.h"
#include "proxy/net_types.h"

namespace warden::proxy {

// v4-mapped addresses become plain IPv4 endpoints (an AF_INET socket).
Tcp::endpoint toAsio(const Endpoint& endpoint);
Endpoint fromAsio(const Tcp::endpoint& endpoint);

}  // namespace warden::proxy
