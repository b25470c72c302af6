#include "identity/identity_resolver.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/cgroup2_mount.h"
#include "identity/proc_reader.h"

namespace warden::identity {

Result<std::unique_ptr<IdentityResolver>> IdentityResolver::create(IdentityResolverOptions options) {
  std::string mount = options.cgroupMount;
  if (mount.empty()) {
    auto found = findCgroup2Mount(options.mountsPath);
    if (!found) return found.error().wrap("workload identity");
    mount = std::move(found).value();
  }
  return std::unique_ptr<IdentityResolver>(new IdentityResolver(std::move(mount), std::move(options)));
}

IdentityResolver::IdentityResolver(std::string mount, IdentityResolverOptions options)
    : options_(std::move(options)),
      cgroups_(std::move(mount), options_.cgroups),
      processes_(options_.processes),
      executables_(options_.maxCachedProcesses) {}

WorkloadIdentity IdentityResolver::resolve(const KernelIdentity& kernel) {
  WorkloadIdentity identity;
  identity.kernel = kernel;
  resolveCgroup(identity);
  resolveProcess(identity);
  identity.userName = processes_.userName(kernel.uid);
  identity.groupName = processes_.groupName(kernel.gid);
  return identity;
}

void IdentityResolver::resolveCgroup(WorkloadIdentity& identity) {
  if (identity.kernel.cgroupId == 0) {
    identity.notes.push_back("no cgroup id recorded");
    return;
  }
  auto path = cgroups_.resolve(identity.kernel.cgroupId);
  if (!path) {
    identity.notes.push_back(path.error().message);
    return;
  }
  identity.cgroupResolved = true;
  identity.cgroupPath = path->path;
  identity.cgroupRemoved = path->removed;
  identity.workload = parseWorkloadName(identity.cgroupPath);
}

void IdentityResolver::resolveProcess(WorkloadIdentity& identity) {
  const uint32_t tgid = identity.kernel.tgid;
  if (tgid == 0) {
    identity.notes.push_back("no process id recorded");
    return;
  }
  // The process that connected may have exited and its pid gone to another:
  // that one's executable must not be taken for the workload's.
  if (identity.kernel.connectNs != 0) {
    auto reused = startedAfter(options_.processes.procRoot, tgid, identity.kernel.connectNs);
    if (reused && *reused) {
      identity.processExited = true;
      identity.notes.push_back("pid " + std::to_string(tgid) +
                               " was reused: the process under it now started after the connect()");
      std::lock_guard lock(mutex_);
      executables_.erase(tgid);
      return;
    }
  }
  std::optional<ExecutableInfo> cached;
  {
    std::lock_guard lock(mutex_);
    if (const ExecutableInfo* hit = executables_.find(tgid)) cached = *hit;
  }
  if (cached) {
    // The same running inode, unchanged and still (un)linked as before, means
    // the same executable even if the pid was reused or the process re-exec'd.
    auto now = processes_.stampOf(tgid);
    if (now && now->stamp == cached->stamp && (now->links == 0) == cached->deleted) {
      identity.executable = std::move(cached);
      return;
    }
    std::lock_guard lock(mutex_);
    executables_.erase(tgid);
  }

  auto executable = processes_.executable(tgid);
  if (executable) {
    if (executable->stamp.inode != 0 && !executable->sha256.empty()) {
      std::lock_guard lock(mutex_);
      executables_.put(tgid, *executable);
    }
    identity.executable = std::move(executable).value();
    return;
  }
  const std::string processDir = options_.processes.procRoot + "/" + std::to_string(tgid);
  if (::access(processDir.c_str(), F_OK) != 0) {
    identity.processExited = true;
    identity.notes.push_back("process " + std::to_string(tgid) + " exited before it was looked at");
  } else {
    identity.notes.push_back(executable.error().message);
  }
}

uint64_t IdentityResolver::cgroupIdOfPath(const std::string& path) const {
  const std::string absolute = path.empty() ? cgroups_.mountPath() : cgroups_.mountPath() + "/" + path;
  struct stat st {};
  if (::stat(absolute.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

Result<IdentityResolver::ConnectionOwner> IdentityResolver::connectionOwner(const Endpoint& local,
                                                                            const Endpoint& remote) {
  auto owner = findSocketOwner(local, remote, options_.sockets);
  if (!owner) return owner.error();
  ConnectionOwner found;
  KernelIdentity& kernel = found.kernel;
  kernel.source = IdentitySource::SocketDiag;
  kernel.uid = owner->uid;
  if (!owner->note.empty()) found.notes.push_back(owner->note);
  if (owner->tgid == 0) return found;
  const std::string& procRoot = options_.processes.procRoot;
  kernel.tgid = owner->tgid;
  kernel.pid = owner->tgid;
  bool gidRead = false;
  if (auto credentials = readCredentials(procRoot, owner->tgid)) {
    kernel.gid = credentials->gid;
    gidRead = true;
  } else {
    found.notes.push_back(credentials.error().message);
  }
  if (auto comm = readComm(procRoot, owner->tgid)) kernel.comm = std::move(comm).value();
  if (auto cgroup = readCgroupV2Path(procRoot, owner->tgid)) {
    kernel.cgroupId = cgroupIdOfPath(*cgroup);
    found.cgroupPath = std::move(cgroup).value();
    found.cgroupRead = true;
  } else {
    found.notes.push_back(cgroup.error().message);
  }
  found.complete = gidRead && found.cgroupRead && kernel.cgroupId != 0;
  return found;
}

Result<WorkloadIdentity> IdentityResolver::resolveConnection(const Endpoint& local, const Endpoint& remote) {
  auto owner = connectionOwner(local, remote);
  if (!owner) return owner.error();
  WorkloadIdentity identity = resolve(owner->kernel);
  identity.notes.insert(identity.notes.begin(), owner->notes.begin(), owner->notes.end());
  return identity;
}

void IdentityResolver::forgetProcess(uint32_t tgid) {
  std::lock_guard lock(mutex_);
  executables_.erase(tgid);
}

void IdentityResolver::forgetCgroup(uint64_t cgroupId) { cgroups_.forget(cgroupId); }

}  // namespace warden::identity
