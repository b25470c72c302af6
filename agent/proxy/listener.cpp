#include "proxy/listener.h"

#include <sys/socket.h>

#include <boost/asio/ip/v6_only.hpp>

#include <string>

namespace warden::proxy {
namespace {

Error socketError(const std::string& what, const Tcp::endpoint& where, const boost::system::error_code& ec) {
  std::string address = where.address().to_string();
  if (where.address().is_v6()) address = "[" + address + "]";
  return Error{what + " " + address + ":" + std::to_string(where.port()) + ": " + ec.message()};
}

}  // namespace

Result<Tcp::acceptor> openListener(asio::io_context& io, const asio::ip::address& address, uint16_t port) {
  const Tcp::endpoint where(address, port);
  Tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(where.protocol(), ec);
  if (ec) return socketError("open listening socket for", where, ec);

  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return socketError("set SO_REUSEADDR on", where, ec);
  int one = 1;
  if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return socketError("set SO_REUSEPORT on", where, {errno, boost::system::system_category()});
  }
  if (address.is_v6()) {
    acceptor.set_option(asio::ip::v6_only(true), ec);
    if (ec) return socketError("set IPV6_V6ONLY on", where, ec);
  }
  acceptor.bind(where, ec);
  if (ec) return socketError("bind", where, ec);
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return socketError("listen on", where, ec);
  return acceptor;
}

bool ipv6LoopbackUsable(asio::io_context& io) {
  Tcp::socket probe(io);
  boost::system::error_code ec;
  probe.open(Tcp::v6(), ec);
  if (!ec) probe.bind(Tcp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
  return !ec;
}

}  // namespace warden::proxy
