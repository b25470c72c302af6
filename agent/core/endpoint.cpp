#include "core/endpoint.h"

#include <arpa/inet.h>

#include <cstring>

namespace warden {
namespace {
constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}

bool Endpoint::isV4Mapped() const { return std::memcmp(addr.data(), kV4MappedPrefix, 12) == 0; }

std::string Endpoint::addressString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (isV4Mapped()) {
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  }
  return buf;
}

std::string Endpoint::toString() const {
  if (isV4Mapped()) return addressString() + ":" + std::to_string(port);
  return "[" + addressString() + "]:" + std::to_string(port);
}

socklen_t Endpoint::toSockaddr(sockaddr_storage& out) const {
  std::memset(&out, 0, sizeof(out));
  if (isV4Mapped()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, addr.data() + 12, 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, addr.data(), 16);
  return sizeof(sockaddr_in6);
}

Endpoint Endpoint::fromSockaddr(const sockaddr* sa) {
  Endpoint e;
  if (sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(e.addr.data(), kV4MappedPrefix, 12);
    std::memcpy(e.addr.data() + 12, &sin->sin_addr, 4);
    e.port = ntohs(sin->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    std::memcpy(e.addr.data(), &sin6->sin6_addr, 16);
    e.port = ntohs(sin6->sin6_port);
  }
  return e;
}

std::optional<Endpoint> Endpoint::parseAddress(const std::string& text, uint16_t port) {
  Endpoint e;
  e.port = port;
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    std::memcpy(e.addr.data(), kV4MappedPrefix, 12);
    std::memcpy(e.addr.data() + 12, &v4, 4);
    return e;
  }
  if (inet_pton(AF_INET6, text.c_str(), e.addr.data()) == 1) return e;
  return std::nullopt;
}

}  // namespace warden
