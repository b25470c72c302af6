// currentNetnsCookie: the same cookie bpf_get_netns_cookie() returns for
// sockets of this network namespace.
#include <sys/socket.h>

#include <cstdint>

#include "core/unique_fd.h"
#include "kernel/bpf_redirector.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace warden::kernel {

Result<uint64_t> currentNetnsCookie() {
  // Any socket carries its namespace; a unix socket touches no network hook.
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errnoError("create a socket to read the network namespace cookie");
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) {
    return errnoError("getsockopt(SO_NETNS_COOKIE) (needs Linux 5.14 or later)");
  }
  return cookie;
}

}  // namespace warden::kernel
