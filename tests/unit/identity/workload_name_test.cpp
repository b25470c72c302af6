#include "identity/workload_name.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::identity {

// Found by gtest through ADL, so it lives in WorkloadName's namespace.
void PrintTo(const WorkloadName& name, std::ostream* out) {
  *out << "{unit=" << name.unit << " slice=" << name.slice << " container=" << name.containerId
       << " runtime=" << runtimeName(name.runtime) << " pod=" << name.podUid << "}";
}

namespace {

const std::string kId = "3f4c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
const std::string kOtherId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Case {
  std::string path;
  WorkloadName expected;
};

WorkloadName unit(std::string unitPath, std::string slice) {
  WorkloadName name;
  name.unit = std::move(unitPath);
  name.slice = std::move(slice);
  return name;
}

WorkloadName container(WorkloadName base, ContainerRuntime runtime, std::string id, std::string pod = "") {
  base.runtime = runtime;
  base.containerId = std::move(id);
  base.podUid = std::move(pod);
  return base;
}

void PrintTo(const Case& c, std::ostream* out) { *out << c.path; }

class WorkloadNameTable : public ::testing::TestWithParam<Case> {};

TEST_P(WorkloadNameTable, Parses) {
  const Case& c = GetParam();
  EXPECT_EQ(parseWorkloadName(c.path), c.expected) << c.path;
}

const std::string kPodSystemd = "kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice";
const std::string kPodUid = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";

INSTANTIATE_TEST_SUITE_P(
    Systemd, WorkloadNameTable,
    ::testing::Values(
        Case{"", {}}, Case{"/", {}}, Case{"system.slice", {}},
        Case{"system.slice/nginx.service", unit("system.slice/nginx.service", "system.slice")},
        Case{"/system.slice/nginx.service", unit("system.slice/nginx.service", "system.slice")},
        Case{"user.slice/user-1000.slice/session-3.scope",
             unit("user.slice/user-1000.slice/session-3.scope", "user-1000.slice")},
        Case{"user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-2211.scope",
             unit("user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-2211.scope", "app.slice")},
        // A unit's own sub-cgroups belong to the unit.
        Case{"system.slice/postgresql.service/worker", unit("system.slice/postgresql.service", "system.slice")},
        Case{"init.scope", unit("init.scope", "")},
        // Names that only look like containers stay plain units.
        Case{"system.slice/docker-compose-web.scope", unit("system.slice/docker-compose-web.scope", "system.slice")},
        Case{"system.slice/docker.service", unit("system.slice/docker.service", "system.slice")},
        Case{"system.slice/docker-" + kId.substr(0, 63) + ".scope",
             unit("system.slice/docker-" + kId.substr(0, 63) + ".scope", "system.slice")},
        Case{"system.slice/docker-" + std::string(64, 'A') + ".scope",
             unit("system.slice/docker-" + std::string(64, 'A') + ".scope", "system.slice")}));

INSTANTIATE_TEST_SUITE_P(
    Containers, WorkloadNameTable,
    ::testing::Values(
        Case{"system.slice/docker-" + kId + ".scope",
             container(unit("system.slice/docker-" + kId + ".scope", "system.slice"), ContainerRuntime::kDocker, kId)},
        Case{"/docker/" + kId, container({}, ContainerRuntime::kDocker, kId)},
        Case{"docker/" + kId + "/sub", container({}, ContainerRuntime::kDocker, kId)},
        // Only directly under a "docker" cgroup is a bare id a container.
        Case{"other/" + kId, {}}, Case{"docker/" + kId.substr(1), {}},
        Case{"system.slice/cri-containerd-" + kId + ".scope",
             container(unit("system.slice/cri-containerd-" + kId + ".scope", "system.slice"),
                       ContainerRuntime::kContainerd, kId)},
        Case{
            "machine.slice/libpod-" + kId + ".scope",
            container(unit("machine.slice/libpod-" + kId + ".scope", "machine.slice"), ContainerRuntime::kPodman, kId)},
        // Podman with systemd inside puts the payload in a child cgroup.
        Case{
            "machine.slice/libpod-" + kId + ".scope/container",
            container(unit("machine.slice/libpod-" + kId + ".scope", "machine.slice"), ContainerRuntime::kPodman, kId)},
        // conmon monitors the container; it is not the container.
        Case{"machine.slice/libpod-conmon-" + kId + ".scope",
             unit("machine.slice/libpod-conmon-" + kId + ".scope", "machine.slice")},
        Case{"user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
             container(unit("user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
                            "user.slice"),
                       ContainerRuntime::kPodman, kId)},
        Case{"machine.slice/crio-" + kId + ".scope",
             container(unit("machine.slice/crio-" + kId + ".scope", "machine.slice"), ContainerRuntime::kCrio, kId)},
        Case{"machine.slice/crio-conmon-" + kId + ".scope",
             unit("machine.slice/crio-conmon-" + kId + ".scope", "machine.slice")},
        // Docker in Docker: the innermost container is the workload.
        Case{"system.slice/docker-" + kId + ".scope/docker/" + kOtherId,
             container(unit("system.slice/docker-" + kId + ".scope", "system.slice"), ContainerRuntime::kDocker,
                       kOtherId)}));

INSTANTIATE_TEST_SUITE_P(
    Kubernetes, WorkloadNameTable,
    ::testing::Values(
        Case{"kubepods.slice/kubepods-burstable.slice/" + kPodSystemd + "/cri-containerd-" + kId + ".scope",
             container(unit("kubepods.slice/kubepods-burstable.slice/" + kPodSystemd + "/cri-containerd-" + kId +
                                ".scope",
                            kPodSystemd),
                       ContainerRuntime::kContainerd, kId, kPodUid)},
        Case{"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + std::string("aa_bb") +
                 ".slice/crio-" + kId + ".scope",
             container(unit("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podaa_bb.slice/crio-" + kId +
                                ".scope",
                            "kubepods-besteffort-podaa_bb.slice"),
                       ContainerRuntime::kCrio, kId, "aa-bb")},
        // Guaranteed pods sit directly under kubepods.slice.
        Case{"kubepods.slice/kubepods-pod1234_5678.slice/docker-" + kId + ".scope",
             container(unit("kubepods.slice/kubepods-pod1234_5678.slice/docker-" + kId + ".scope",
                            "kubepods-pod1234_5678.slice"),
                       ContainerRuntime::kDocker, kId, "1234-5678")},
        // The pause container's pod slice alone names the pod.
        Case{"kubepods.slice/kubepods-burstable.slice/" + kPodSystemd,
             [] {
               WorkloadName name;
               name.podUid = kPodUid;
               return name;
             }()},
        // kind nests the kubelet's slices under kubelet.slice.
        Case{"kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
             "kubelet-kubepods-besteffort-podab_cd.slice/cri-containerd-" +
                 kId + ".scope",
             container(unit("kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                            "kubelet-kubepods-besteffort-podab_cd.slice/cri-containerd-" +
                                kId + ".scope",
                            "kubelet-kubepods-besteffort-podab_cd.slice"),
                       ContainerRuntime::kContainerd, kId, "ab-cd")},
        // cgroupfs driver: no runtime in the name, the uid already dashed.
        Case{"/kubepods/burstable/pod" + kPodUid + "/" + kId, container({}, ContainerRuntime::kUnknown, kId, kPodUid)},
        Case{"/kubepods/pod" + kPodUid + "/" + kId, container({}, ContainerRuntime::kUnknown, kId, kPodUid)},
        Case{"/kubepods/besteffort/pod" + kPodUid, [] {
               WorkloadName name;
               name.podUid = kPodUid;
               return name;
             }()}));

TEST(WorkloadName, RuntimeNames) {
  EXPECT_EQ(runtimeName(ContainerRuntime::kNone), "");
  EXPECT_EQ(runtimeName(ContainerRuntime::kDocker), "docker");
  EXPECT_EQ(runtimeName(ContainerRuntime::kContainerd), "containerd");
  EXPECT_EQ(runtimeName(ContainerRuntime::kPodman), "podman");
  EXPECT_EQ(runtimeName(ContainerRuntime::kCrio), "crio");
  EXPECT_EQ(runtimeName(ContainerRuntime::kUnknown), "unknown");
}

TEST(WorkloadName, InContainerFollowsTheId) {
  EXPECT_FALSE(parseWorkloadName("system.slice/nginx.service").inContainer());
  EXPECT_TRUE(parseWorkloadName("/docker/" + kId).inContainer());
}

}  // namespace
}  // namespace warden::identity
