// Finding a sink's receiver by name, within a deadline.
//
// getaddrinfo() has no timeout of its own: with a DNS server that does not
// answer it holds its caller for the resolver's timeouts times its attempts
// times the servers listed. A sink's thread that waited that long could not
// stop when asked, nor back off on schedule. So the lookup runs on a thread
// of its own, which nothing ever waits to join: the sink stops waiting at
// its deadline, and a lookup still running then is picked up by the sink's
// next attempt rather than started again (one lookup per sink at a time).
// (Asio's resolver would not do: its thread is joined when the sink's
// io_context is destroyed, which would hold the agent's stop instead.)
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace warden::audit {

using ReceiverAddresses = std::vector<boost::asio::ip::tcp::endpoint>;

class ReceiverLookup {
 public:
  // How a name is looked up; blocking. Tests give their own.
  using Resolve = std::function<Result<ReceiverAddresses>(const std::string& host, uint16_t port)>;
  static Result<ReceiverAddresses> systemResolve(const std::string& host, uint16_t port);

  // `what` names the receiver in errors ("syslog receiver").
  ReceiverLookup(std::string host, uint16_t port, std::string what, Resolve resolve = systemResolve);

  // The addresses of the host (a name, or an address literal, which needs
  // no lookup) with the port, or an error once the deadline has passed.
  Result<ReceiverAddresses> addresses(std::chrono::steady_clock::time_point deadline);

 private:
  struct Pending;

  std::string host_;
  uint16_t port_;
  std::string what_;
  Resolve resolve_;
  std::shared_ptr<Pending> pending_;  // a lookup started and not yet taken
};

}  // namespace warden::audit
