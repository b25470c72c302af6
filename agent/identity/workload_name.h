// What a cgroup path says about the workload: its systemd unit, and the
// container and Kubernetes pod it belongs to, from the naming conventions of
// systemd, Docker, containerd (CRI), Podman, CRI-O and the kubelet (both its
// systemd and cgroupfs drivers). Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

namespace warden::identity {

enum class ContainerRuntime { kNone, kDocker, kContainerd, kPodman, kCrio, kUnknown };

// "docker", "containerd", "podman", "crio", "unknown" (cgroupfs-driver pods do
// not name their runtime), "" for kNone.
std::string_view runtimeName(ContainerRuntime runtime);

struct WorkloadName {
  // The deepest *.service or *.scope and the path down to it:
  // "system.slice/nginx.service", "user.slice/user-1000.slice/session-3.scope".
  std::string unit;
  std::string slice;  // the *.slice the unit sits in ("user-1000.slice"), "" if none
  std::string containerId;
  ContainerRuntime runtime = ContainerRuntime::kNone;
  std::string podUid;  // Kubernetes pod uid, dashed form

  bool inContainer() const { return !containerId.empty(); }
  friend bool operator==(const WorkloadName&, const WorkloadName&) = default;
};

// path: relative to the cgroup v2 mount, with or without a leading '/'.
WorkloadName parseWorkloadName(std::string_view cgroupPath);

}  // namespace warden::identity
