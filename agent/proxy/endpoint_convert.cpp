#include "proxy/endpoint_convert.h"

#include <cstring>

namespace warden::proxy {

Tcp::endpoint toAsio(const Endpoint& endpoint) {
  if (endpoint.isV4Mapped()) {
    asio::ip::address_v4::bytes_type bytes;
    std::memcpy(bytes.data(), endpoint.addr.data() + 12, 4);
    return {asio::ip::address_v4(bytes), endpoint.port};
  }
  asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), endpoint.addr.data(), 16);
  return {asio::ip::address_v6(bytes), endpoint.port};
}

Endpoint fromAsio(const Tcp::endpoint& endpoint) { return Endpoint::fromSockaddr(endpoint.data()); }

}  // namespace warden::proxy
