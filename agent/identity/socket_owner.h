// Who owns a TCP connection, from its 4-tuple, for connections the BPF hook
// did not record (opened before the agent started). NETLINK_SOCK_DIAG gives
// the socket's uid and inode; the process is then found by scanning
// /proc/<pid>/fd for "socket:[inode]", which is bounded because it is slow on
// hosts with many descriptors. Looks in the caller's network namespace only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/endpoint.h"
#include "core/result.h"

namespace warden::identity {

struct SocketOwnerOptions {
  std::string procRoot = "/proc";
  size_t maxFdsScanned = 500000;  // descriptors read before giving up on the pid
};

struct SocketDiag {
  uint32_t uid = 0;
  uint64_t inode = 0;
};

struct SocketOwner {
  uint32_t uid = 0;
  uint64_t inode = 0;
  uint32_t tgid = 0;  // 0 when no process was found (note says why)
  std::string note;
};

// local/remote as the owning socket sees them (getsockname/getpeername).
Result<SocketDiag> querySocketDiag(const Endpoint& local, const Endpoint& remote);

// The first process (lowest pid among those running as uidHint first, then the
// rest) holding the socket inode. Result 0 with a note when not found.
struct ProcessSearch {
  uint32_t tgid = 0;
  std::string note;
};
ProcessSearch findSocketProcess(uint64_t inode, uint32_t uidHint, const SocketOwnerOptions& options = {});

Result<SocketOwner> findSocketOwner(const Endpoint& local, const Endpoint& remote,
                                    const SocketOwnerOptions& options = {});

}  // namespace warden::identity
