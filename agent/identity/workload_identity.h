// Everything the agent knows about the workload behind a connection: the
// kernel's view (ids at connect time) resolved into names the access layer can
// write policy against.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"
#include "identity/process_info.h"
#include "identity/workload_name.h"

namespace warden::identity {

struct WorkloadIdentity {
  KernelIdentity kernel;

  bool cgroupResolved = false;
  std::string cgroupPath;  // relative to the cgroup v2 mount; "" is the root
  bool cgroupRemoved = false;
  WorkloadName workload;  // from cgroupPath

  bool processExited = false;                // gone before it was looked at
  std::optional<ExecutableInfo> executable;  // absent when exited or unreadable
  std::string userName;                      // of kernel.uid; "" if it has none
  std::string groupName;

  std::vector<std::string> notes;  // what could not be resolved, and why

  // Stable name of the workload for policy and metrics, most specific first:
  // "container:<runtime>/<id>", "unit:<unit path>", "cgroup:/<path>",
  // "exe:<path>", "comm:<comm>". A container comes before its scope unit
  // because the id is what operators know it by.
  std::string workloadKey() const;
};

}  // namespace warden::identity
