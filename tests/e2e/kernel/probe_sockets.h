// Plain socket helpers for the kernel probe: every call reports errno instead
// of failing, because refusals are what several checks expect.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>

#include "core/endpoint.h"
#include "core/unique_fd.h"

namespace probe {

using warden::Endpoint;
using warden::UniqueFd;

struct SocketName {
  int family = 0;  // AF_INET or AF_INET6, as the kernel reported it
  Endpoint endpoint;
  bool ok = false;
};

struct Connected {
  UniqueFd fd;
  int err = 0;  // errno of connect(), 0 on success
};

// A TCP listener; IPv6 sockets are V6ONLY so ::1 and 127.0.0.1 stay apart.
// SO_REUSEADDR, so a closed listener's port can be bound again.
UniqueFd listenOn(const Endpoint& at);

SocketName localName(int fd);
SocketName peerName(int fd);

// family AF_INET6 with a v4-mapped endpoint dials ::ffff:a.b.c.d.
Connected connectTcp(const Endpoint& dst, int family, uint32_t mark = 0);

// errno of connect()/sendto() on a fresh UDP socket, 0 on success.
int udpConnect(const Endpoint& dst, int family);
int udpSendTo(const Endpoint& dst, int family);

// An accepted connection, or an invalid fd if none arrives in time.
UniqueFd acceptWithin(int listenFd, std::chrono::milliseconds timeout);

}  // namespace probe
