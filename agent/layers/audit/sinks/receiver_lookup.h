// Finding a sink's receiver by name, within a deadline.
//
// getaddrinfo() has no timeout of its own: with a DNS server that does not
// answer it holds its caller for the resolver's timeouts times its attempts
// times the servers listed. A sink's thread that waited that long could not
// stop when asked, nor back off on schedule, so the lookup runs on Asio's
// resolver thread and the sink stops waiting for it at the deadline.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace warden::audit {

// The addresses of `host` (a name or an address literal, which needs no
// lookup) at `port`. `what` names the receiver in errors ("syslog receiver").
// Runs `io` (restarting it) until the answer or the deadline.
Result<std::vector<boost::asio::ip::tcp::endpoint>> lookUpReceiver(boost::asio::io_context& io,
                                                                   const std::string& host, uint16_t port,
                                                                   std::chrono::steady_clock::time_point deadline,
                                                                   const std::string& what);

}  // namespace warden::audit
