// A TCP connection to ourselves over loopback: a listener on port 0, a client
// connected to it and the accepted server side. All fds close on destruction.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "core/endpoint.h"
#include "core/unique_fd.h"

namespace warden::identity::testing {

class LoopbackConnection {
 public:
  // listenFamily/clientFamily: AF_INET or AF_INET6; address in the listener's family.
  LoopbackConnection(int listenFamily, const std::string& address, int clientFamily) {
    auto listenAt = Endpoint::parseAddress(address, 0);
    if (!listenAt) return;
    listener_.reset(::socket(listenFamily, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_storage storage{};
    socklen_t length = listenAt->toSockaddr(storage);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) return;
    if (::listen(listener_.get(), 4) != 0) return;
    length = sizeof(storage);
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&storage), &length);
    Endpoint target = Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&storage));

    client_.reset(::socket(clientFamily, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (clientFamily == AF_INET6 && target.isV4Mapped()) {
      // A dual-stack client dialling an IPv4 listener by its v4-mapped address.
      sockaddr_in6 mapped{};
      mapped.sin6_family = AF_INET6;
      mapped.sin6_port = htons(target.port);
      std::copy(target.addr.begin(), target.addr.end(), mapped.sin6_addr.s6_addr);
      if (::connect(client_.get(), reinterpret_cast<sockaddr*>(&mapped), sizeof(mapped)) != 0) return;
    } else {
      length = target.toSockaddr(storage);
      if (::connect(client_.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) return;
    }
    server_.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    clientLocal_ = nameOf(client_.get(), ::getsockname);
    clientRemote_ = nameOf(client_.get(), ::getpeername);
    ok_ = server_.valid();
  }

  bool ok() const { return ok_; }
  int clientFd() const { return client_.get(); }
  int serverFd() const { return server_.get(); }
  const Endpoint& clientLocal() const { return clientLocal_; }
  const Endpoint& clientRemote() const { return clientRemote_; }

 private:
  template <class Getter>
  static Endpoint nameOf(int fd, Getter getter) {
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    getter(fd, reinterpret_cast<sockaddr*>(&storage), &length);
    return Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&storage));
  }

  UniqueFd listener_;
  UniqueFd client_;
  UniqueFd server_;
  Endpoint clientLocal_;
  Endpoint clientRemote_;
  bool ok_ = false;
};

}  // namespace warden::identity::testing
