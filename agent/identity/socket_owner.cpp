#include "identity/socket_owner.h"

#include <dirent.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/unique_fd.h"

namespace warden::identity {
namespace {

struct MnlSocketClose {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};

struct DiagAnswer {
  bool found = false;
  SocketDiag diag;
};

int onDiagMessage(const nlmsghdr* message, void* data) {
  auto* answer = static_cast<DiagAnswer*>(data);
  if (message->nlmsg_type != SOCK_DIAG_BY_FAMILY) return MNL_CB_OK;
  if (mnl_nlmsg_get_payload_len(message) < sizeof(inet_diag_msg)) return MNL_CB_ERROR;
  const auto* diag = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(message));
  answer->found = true;
  answer->diag.uid = diag->idiag_uid;
  answer->diag.inode = diag->idiag_inode;
  return MNL_CB_STOP;
}

void fillAddress(const Endpoint& endpoint, bool v4, __be32 out[4]) {
  if (v4) {
    std::memcpy(out, endpoint.addr.data() + 12, 4);
  } else {
    std::memcpy(out, endpoint.addr.data(), 16);
  }
}

std::optional<uint32_t> parsePid(const char* name) {
  uint32_t pid = 0;
  const char* end = name + std::strlen(name);
  const auto [ptr, ec] = std::from_chars(name, end, pid);
  if (ec != std::errc() || ptr != end || pid == 0) return std::nullopt;
  return pid;
}

struct Candidate {
  bool sameUid;
  uint32_t pid;
  bool operator<(const Candidate& other) const { return sameUid != other.sameUid ? sameUid : pid < other.pid; }
};

}  // namespace

Result<SocketDiag> querySocketDiag(const Endpoint& local, const Endpoint& remote) {
  const std::string what = "look up TCP socket " + local.toString() + " -> " + remote.toString();
  // A v4 connection (also one on a dual-stack AF_INET6 socket) sits in the
  // IPv4 lookup table, so v4-mapped pairs are asked for as AF_INET.
  const bool v4 = local.isV4Mapped() && remote.isV4Mapped();
  std::unique_ptr<mnl_socket, MnlSocketClose> netlink(mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC));
  if (!netlink) return errnoError("open NETLINK_SOCK_DIAG").wrap(what);
  if (mnl_socket_bind(netlink.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return errnoError("bind NETLINK_SOCK_DIAG").wrap(what);
  }

  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* message = mnl_nlmsg_put_header(buffer.data());
  message->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message->nlmsg_flags = NLM_F_REQUEST;  // no NLM_F_DUMP: the kernel looks up this one socket
  const uint32_t sequence = 1;
  message->nlmsg_seq = sequence;
  auto* request = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(message, sizeof(inet_diag_req_v2)));
  request->sdiag_family = v4 ? AF_INET : AF_INET6;
  request->sdiag_protocol = IPPROTO_TCP;
  request->idiag_states = ~0u;
  request->id.idiag_sport = htons(local.port);
  request->id.idiag_dport = htons(remote.port);
  fillAddress(local, v4, request->id.idiag_src);
  fillAddress(remote, v4, request->id.idiag_dst);
  request->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  request->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  if (mnl_socket_sendto(netlink.get(), message, message->nlmsg_len) < 0) {
    return errnoError("send sock_diag request").wrap(what);
  }
  const uint32_t portId = mnl_socket_get_portid(netlink.get());
  DiagAnswer answer;
  const ssize_t received = mnl_socket_recvfrom(netlink.get(), buffer.data(), buffer.size());
  if (received < 0) return errnoError("receive sock_diag answer").wrap(what);
  if (mnl_cb_run(buffer.data(), static_cast<size_t>(received), sequence, portId, onDiagMessage, &answer) < 0) {
    if (errno == ENOENT) return Error{what + ": no such connection in this network namespace (closed already?)"};
    return errnoError("sock_diag").wrap(what);
  }
  if (!answer.found) return Error{what + ": the kernel answered without a socket"};
  return answer.diag;
}

ProcessSearch findSocketProcess(uint64_t inode, uint32_t uidHint, const SocketOwnerOptions& options) {
  ProcessSearch search;
  DIR* proc = ::opendir(options.procRoot.c_str());
  if (proc == nullptr) {
    search.note = errnoError("open " + options.procRoot).message;
    return search;
  }
  std::vector<Candidate> candidates;
  while (const dirent* entry = ::readdir(proc)) {
    const auto pid = parsePid(entry->d_name);
    if (!pid) continue;
    struct stat st {};
    const bool sameUid = ::fstatat(::dirfd(proc), entry->d_name, &st, 0) == 0 && st.st_uid == uidHint;
    candidates.push_back({sameUid, *pid});
  }
  ::closedir(proc);
  // The socket's creator is the likeliest holder: look at its processes first.
  std::sort(candidates.begin(), candidates.end());

  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  std::vector<char> target(wanted.size() + 2);
  size_t scanned = 0;
  for (const Candidate& candidate : candidates) {
    const std::string fdDir = options.procRoot + "/" + std::to_string(candidate.pid) + "/fd";
    UniqueFd dirFd(::open(fdDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirFd.valid()) continue;  // exited, or not ours to read
    DIR* fds = ::fdopendir(dirFd.get());
    if (fds == nullptr) continue;
    dirFd.release();
    bool found = false;
    while (const dirent* entry = ::readdir(fds)) {
      if (entry->d_name[0] == '.') continue;
      if (++scanned > options.maxFdsScanned) break;
      const ssize_t length = ::readlinkat(::dirfd(fds), entry->d_name, target.data(), target.size());
      if (length == static_cast<ssize_t>(wanted.size()) &&
          std::memcmp(target.data(), wanted.data(), wanted.size()) == 0) {
        found = true;
        break;
      }
    }
    ::closedir(fds);
    if (found) {
      search.tgid = candidate.pid;
      return search;
    }
    if (scanned > options.maxFdsScanned) {
      search.note = "gave up finding the process of " + wanted + " after " + std::to_string(options.maxFdsScanned) +
                    " descriptors (identity max_fds_scanned)";
      return search;
    }
  }
  search.note = "no process holds " + wanted + " (closed, or held by a process we may not inspect)";
  return search;
}

Result<SocketOwner> findSocketOwner(const Endpoint& local, const Endpoint& remote, const SocketOwnerOptions& options) {
  auto diag = querySocketDiag(local, remote);
  if (!diag) return diag.error();
  SocketOwner owner;
  owner.uid = diag->uid;
  owner.inode = diag->inode;
  if (owner.inode == 0) {
    owner.note = "the socket has no inode (orphaned: its process closed it)";
    return owner;
  }
  auto search = findSocketProcess(owner.inode, owner.uid, options);
  owner.tgid = search.tgid;
  owner.note = std::move(search.note);
  return owner;
}

}  // namespace warden::identity
