#include "probe_sockets.h"

#include <netinet/in.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace probe {
namespace {

socklen_t toSockaddr(const Endpoint& ep, int family, sockaddr_storage& out) {
  if (family == AF_INET) return ep.toSockaddr(out);
  std::memset(&out, 0, sizeof(out));
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(ep.port);
  std::memcpy(&sin6->sin6_addr, ep.addr.data(), 16);
  return sizeof(sockaddr_in6);
}

SocketName nameOf(int fd, int (*get)(int, sockaddr*, socklen_t*)) {
  SocketName name;
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (get(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return name;
  name.family = ss.ss_family;
  name.endpoint = Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&ss));
  name.ok = true;
  return name;
}

}  // namespace

UniqueFd listenOn(const Endpoint& at) {
  const int family = at.isV4Mapped() ? AF_INET : AF_INET6;
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  int one = 1;
  if (family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  // The agent listener is closed and reopened on its port, which TIME_WAIT
  // sockets of earlier connections still hold.
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_storage ss{};
  socklen_t len = toSockaddr(at, family, ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd.get(), 64) != 0) {
    return UniqueFd();
  }
  return fd;
}

SocketName localName(int fd) { return nameOf(fd, ::getsockname); }
SocketName peerName(int fd) { return nameOf(fd, ::getpeername); }

Connected connectTcp(const Endpoint& dst, int family, uint32_t mark) {
  Connected out;
  out.fd.reset(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!out.fd.valid()) {
    out.err = errno;
    return out;
  }
  if (mark != 0 && ::setsockopt(out.fd.get(), SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
    out.err = errno;
    return out;
  }
  sockaddr_storage ss{};
  socklen_t len = toSockaddr(dst, family, ss);
  if (::connect(out.fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) out.err = errno;
  return out;
}

int udpConnect(const Endpoint& dst, int family) {
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  sockaddr_storage ss{};
  socklen_t len = toSockaddr(dst, family, ss);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0 ? 0 : errno;
}

int udpSendTo(const Endpoint& dst, int family) {
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  sockaddr_storage ss{};
  socklen_t len = toSockaddr(dst, family, ss);
  const char payload[] = "quic?";
  ssize_t sent = ::sendto(fd.get(), payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&ss), len);
  return sent >= 0 ? 0 : errno;
}

UniqueFd acceptWithin(int listenFd, std::chrono::milliseconds timeout) {
  pollfd pfd{listenFd, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1) return UniqueFd();
  return UniqueFd(::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC));
}

}  // namespace probe
