#include "app/workload_resolution.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "identity/identity_resolver.h"

namespace warden::app {

audit::WorkloadRecord toWorkloadRecord(const identity::WorkloadIdentity& identity) {
  audit::WorkloadRecord record;
  record.key = identity.workloadKey();
  if (identity.cgroupResolved) record.cgroup = "/" + identity.cgroupPath;
  record.unit = identity.workload.unit;
  record.slice = identity.workload.slice;
  record.container = identity.workload.containerId;
  record.runtime = std::string(identity::runtimeName(identity.workload.runtime));
  record.pod = identity.workload.podUid;
  if (identity.executable) {
    record.executable = identity.executable->path;
    record.executableSha256 = identity.executable->sha256;
  }
  record.user = identity.userName;
  record.group = identity.groupName;
  return record;
}

namespace {

// What could not be resolved is worth a line when debugging policy that does
// not match, not on every connection.
void logNotes(const KernelIdentity& kernel, const std::vector<std::string>& notes) {
  if (notes.empty()) return;
  std::string joined;
  for (const auto& note : notes) joined += (joined.empty() ? "" : "; ") + note;
  logger("identity")->debug("{}[{}]: {}", kernel.comm, kernel.tgid, joined);
}

// The attached cgroup as /proc/mounts and /proc/PID/cgroup spell it: the
// configured path may hold a symlink, "..", "." or a trailing slash.
std::string kernelSpelling(const std::string& cgroup) {
  std::error_code ec;
  std::filesystem::path path = std::filesystem::weakly_canonical(cgroup, ec);
  if (ec) path = std::filesystem::path(cgroup).lexically_normal();
  std::string spelled = path.string();
  while (spelled.size() > 1 && spelled.back() == '/') spelled.pop_back();
  return spelled;
}

// `path` is `root` or below it; both spelled as the kernel does.
bool isInside(const std::string& path, const std::string& root) {
  return path.compare(0, root.size(), root) == 0 &&
         (path.size() == root.size() || root == "/" || path[root.size()] == '/');
}

}  // namespace

Result<WorkloadLookups> makeWorkloadLookups(const std::string& scope) {
  auto created = identity::IdentityResolver::create({});
  if (!created) return created.error().wrap("preparing workload identity");
  std::shared_ptr<identity::IdentityResolver> resolver = std::move(*created);
  WorkloadLookups lookups;
  lookups.resolve = [resolver](const KernelIdentity& kernel) -> std::shared_ptr<const audit::WorkloadRecord> {
    auto identity = resolver->resolve(kernel);
    logNotes(kernel, identity.notes);
    return std::make_shared<const audit::WorkloadRecord>(toWorkloadRecord(identity));
  };
  // As the client's socket sees the connection: local is the client, remote the agent.
  lookups.connectionOwner = [resolver, root = kernelSpelling(scope)](const Endpoint& client, const Endpoint& agent) -> Result<KernelIdentity> {
    auto owner = resolver->connectionOwner(client, agent);
    if (!owner) return owner.error();
    logNotes(owner->kernel, owner->notes);
    // Half an identity would match rules on what could not be read (gid 0,
    // no workload) rather than on who it is.
    if (!owner->complete) return Error{"its process, group or cgroup could not be read"};
    const std::string path = resolver->cgroupMount() + (owner->cgroupPath.empty() ? "" : "/" + owner->cgroupPath);
    if (!isInside(path, root)) return Error{"its cgroup /" + owner->cgroupPath + " is outside the intercepted one"};
    return owner->kernel;
  };
  return lookups;
}

}  // namespace warden::app
