// An IP endpoint as the kernel side stores it: IPv6 bytes (IPv4 as v4-mapped
// ::ffff:a.b.c.d) and a port in host byte order.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace warden {

struct Endpoint {
  std::array<uint8_t, 16> addr{};
  uint16_t port = 0;

  bool isV4Mapped() const;
  // "1.2.3.4:443" or "[2001:db8::1]:443"
  std::string toString() const;
  // Address only: "1.2.3.4" or "2001:db8::1"
  std::string addressString() const;
  // sockaddr_in for v4-mapped, sockaddr_in6 otherwise; returns its length.
  socklen_t toSockaddr(sockaddr_storage& out) const;

  static Endpoint fromSockaddr(const sockaddr* sa);
  // Parses "1.2.3.4" / "::1" (no port).
  static std::optional<Endpoint> parseAddress(const std::string& text, uint16_t port = 0);

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// How the kernel told who opened a connection.
enum class IdentitySource {
  Connect,     // the BPF hook's record, taken in connect() by the caller itself
  SocketDiag,  // no record: the client socket's owner, asked of sock_diag and /proc after accept
};

// Who opened a connection, as the kernel saw it in connect(): tgid is the
// process, pid the thread (the process again when the source is SocketDiag).
struct KernelIdentity {
  uint32_t tgid = 0;
  uint32_t pid = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t cgroupId = 0;
  uint64_t netnsCookie = 0;
  std::string comm;
  IdentitySource source = IdentitySource::Connect;
  uint64_t connectNs = 0;  // CLOCK_MONOTONIC at connect(); 0: unknown (SocketDiag)
};

// What the agent learns about an accepted, redirected connection.
struct ConnectionOrigin {
  Endpoint originalDst;  // where the client meant to go
  KernelIdentity identity;
  bool plainHttpTarget = false;  // target configured as plain HTTP (no TLS)
};

}  // namespace warden
