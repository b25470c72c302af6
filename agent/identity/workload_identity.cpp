#include "identity/workload_identity.h"

namespace warden::identity {

std::string WorkloadIdentity::workloadKey() const {
  if (workload.inContainer()) {
    return "container:" + std::string(runtimeName(workload.runtime)) + "/" + workload.containerId;
  }
  if (!workload.unit.empty()) return "unit:" + workload.unit;
  if (cgroupResolved) return "cgroup:/" + cgroupPath;
  if (executable && !executable->path.empty()) return "exe:" + executable->path;
  return "comm:" + kernel.comm;
}

}  // namespace warden::identity
