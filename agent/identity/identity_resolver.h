// Resolves the kernel's view of a connection's owner into a WorkloadIdentity:
// cgroup id -> path -> unit/container/pod, tgid -> executable and its hash,
// uid/gid -> names. Also resolves connections the BPF hook did not record, by
// their 4-tuple (sock_diag, then /proc).
//
// Caches, all bounded:
//  - cgroup id -> path (CgroupPaths): every live cgroup, refreshed by a walk at
//    most once per rescan interval; removed ones kept for a retention time.
//  - tgid -> executable: LRU of maxCachedProcesses, each hit checked with one
//    stat() of /proc/<tgid>/exe, so an execve or a reused pid is noticed.
//  - executable hashes by file stamp (LRU) and user/group names (LRU + TTL)
//    in ProcessInfo.
// forgetProcess/forgetCgroup drop entries when the caller knows they ended.
//
// Thread-safe. resolve() does file I/O (and may hash an executable): call it
// off the event loop.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "core/result.h"
#include "identity/cgroup_paths.h"
#include "identity/lru_cache.h"
#include "identity/process_info.h"
#include "identity/socket_owner.h"
#include "identity/workload_identity.h"

namespace warden::identity {

struct IdentityResolverOptions {
  std::string cgroupMount;  // "" = the cgroup2 mount found in mountsPath
  std::string mountsPath = "/proc/mounts";
  CgroupPathsOptions cgroups;
  ProcessInfoOptions processes;  // its procRoot is used for every /proc read
  SocketOwnerOptions sockets;
  size_t maxCachedProcesses = 8192;
};

class IdentityResolver {
 public:
  static Result<std::unique_ptr<IdentityResolver>> create(IdentityResolverOptions options);

  // Never fails: what cannot be resolved is left empty and said in notes. A
  // process that exited resolves from its cgroup alone.
  WorkloadIdentity resolve(const KernelIdentity& kernel);

  // For a connection with no BPF record; local/remote as the owning socket
  // sees them. Fails only when the kernel does not know the connection.
  Result<WorkloadIdentity> resolveConnection(const Endpoint& local, const Endpoint& remote);

  // The kernel's part of the above: the socket's uid, the process holding
  // it, that process's gid, comm and cgroup (source SocketDiag). What could
  // not be read is left zero and said in notes.
  struct ConnectionOwner {
    KernelIdentity kernel;
    std::string cgroupPath;  // relative to the mount, as /proc says; "" with cgroupRead false
    bool cgroupRead = false;
    bool complete = false;   // the process found, its gid and cgroup read
    std::vector<std::string> notes;
  };
  Result<ConnectionOwner> connectionOwner(const Endpoint& local, const Endpoint& remote);

  void forgetProcess(uint32_t tgid);
  void forgetCgroup(uint64_t cgroupId);

  const std::string& cgroupMount() const { return cgroups_.mountPath(); }

 private:
  IdentityResolver(std::string mount, IdentityResolverOptions options);

  void resolveCgroup(WorkloadIdentity& identity);
  void resolveProcess(WorkloadIdentity& identity);
  uint64_t cgroupIdOfPath(const std::string& path) const;

  const IdentityResolverOptions options_;
  CgroupPaths cgroups_;
  ProcessInfo processes_;
  std::mutex mutex_;
  LruCache<uint32_t, ExecutableInfo> executables_;
};

}  // namespace warden::identity
