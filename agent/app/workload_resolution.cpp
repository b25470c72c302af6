#include "app/workload_resolution.h"

#include <memory>
#include <string>

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

Result<proxy::WorkloadResolver> makeWorkloadResolver() {
  auto created = identity::IdentityResolver::create({});
  if (!created) return created.error().wrap("preparing workload identity");
  std::shared_ptr<identity::IdentityResolver> resolver = std::move(*created);
  return proxy::WorkloadResolver(
      [resolver](const KernelIdentity& kernel) -> std::shared_ptr<const audit::WorkloadRecord> {
        auto identity = resolver->resolve(kernel);
        // What could not be resolved is worth a line when debugging policy
        // that does not match, not on every connection.
        if (!identity.notes.empty()) {
          std::string notes;
          for (const auto& note : identity.notes) notes += (notes.empty() ? "" : "; ") + note;
          logger("identity")->debug("{}[{}]: {}", kernel.comm, kernel.tgid, notes);
        }
        return std::make_shared<const audit::WorkloadRecord>(toWorkloadRecord(identity));
      });
}

}  // namespace warden::app
