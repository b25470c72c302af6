#include "app/workload_resolution.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/cgroup2_mount.h"
#include "tests/unit/identity/loopback_connection.h"

namespace warden::app {
namespace {

TEST(WorkloadRecord, CarriesTheResolvedNamesAndTheKeyPolicyUses) {
  identity::WorkloadIdentity resolved;
  resolved.kernel.comm = "python3";
  resolved.cgroupResolved = true;
  resolved.cgroupPath = "system.slice/docker-0123abcd.scope";
  resolved.workload.unit = "system.slice/docker-0123abcd.scope";
  resolved.workload.containerId = "0123abcd";
  resolved.workload.runtime = identity::ContainerRuntime::kDocker;
  resolved.executable = identity::ExecutableInfo{};
  resolved.executable->path = "/usr/bin/python3.11";
  resolved.executable->sha256 = "ab12";
  resolved.userName = "app";
  resolved.groupName = "app";

  const auto record = toWorkloadRecord(resolved);
  EXPECT_EQ(record.key, "container:docker/0123abcd");
  EXPECT_EQ(record.cgroup, "/system.slice/docker-0123abcd.scope");
  EXPECT_EQ(record.unit, "system.slice/docker-0123abcd.scope");
  EXPECT_EQ(record.container, "0123abcd");
  EXPECT_EQ(record.runtime, "docker");
  EXPECT_EQ(record.executable, "/usr/bin/python3.11");
  EXPECT_EQ(record.executableSha256, "ab12");
  EXPECT_EQ(record.user, "app");
  EXPECT_EQ(record.group, "app");
}

TEST(WorkloadRecord, AnUnresolvedCgroupLeavesItsFieldsEmpty) {
  identity::WorkloadIdentity resolved;
  resolved.kernel.comm = "curl";
  const auto record = toWorkloadRecord(resolved);
  EXPECT_EQ(record.key, "comm:curl");
  EXPECT_EQ(record.cgroup, "");
  EXPECT_EQ(record.runtime, "");
}

// The resolver the agent gives the proxy, on this very process: its cgroup
// (by id, as the BPF record carries it), executable and user.
TEST(WorkloadResolver, ResolvesThisProcessFromItsKernelIds) {
  auto lookups = makeWorkloadLookups(*findCgroup2Mount());
  ASSERT_TRUE(lookups.ok()) << lookups.error().message;
  auto mount = findCgroup2Mount();
  ASSERT_TRUE(mount.ok());
  std::ifstream cgroupFile("/proc/self/cgroup");
  std::string line, ownPath;
  while (std::getline(cgroupFile, line)) {
    if (line.rfind("0::", 0) == 0) ownPath = line.substr(3);
  }
  ASSERT_FALSE(ownPath.empty());
  struct stat st {};
  ASSERT_EQ(::stat((*mount + ownPath).c_str(), &st), 0) << *mount + ownPath;

  KernelIdentity kernel;
  kernel.tgid = static_cast<uint32_t>(::getpid());
  kernel.pid = kernel.tgid;
  kernel.uid = ::getuid();
  kernel.gid = ::getgid();
  kernel.cgroupId = st.st_ino;
  kernel.comm = "unit-test";
  const auto record = lookups->resolve(kernel);
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->cgroup, ownPath == "/" ? "/" : ownPath);
  EXPECT_EQ(record->executable, std::filesystem::read_symlink("/proc/self/exe").string());
  if (::getuid() == 0) {
    EXPECT_EQ(record->user, "root");
  }
  EXPECT_FALSE(record->key.empty());
}

// A connection the BPF hook did not record: the owner of the client's socket,
// found through sock_diag and /proc, here this very process.
TEST(WorkloadResolver, FindsTheOwnerOfAnUnrecordedClientSocket) {
  auto mount = findCgroup2Mount();
  ASSERT_TRUE(mount.ok());
  auto lookups = makeWorkloadLookups(*mount);
  ASSERT_TRUE(lookups.ok()) << lookups.error().message;
  identity::testing::LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(connection.ok());

  auto owner = lookups->connectionOwner(connection.clientLocal(), connection.clientRemote());
  ASSERT_TRUE(owner.ok()) << owner.error().message;
  EXPECT_EQ(owner->source, IdentitySource::SocketDiag);
  EXPECT_EQ(owner->tgid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(owner->uid, ::getuid());
  EXPECT_NE(owner->cgroupId, 0u);
  EXPECT_FALSE(owner->comm.empty());

  // A 4-tuple the kernel does not know (this client's address, another listener's) is an error.
  identity::testing::LoopbackConnection other(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(lookups->connectionOwner(connection.clientLocal(), other.clientRemote()).ok());

  // Attached to a cgroup this process is not in: its socket is not served.
  auto elsewhere = makeWorkloadLookups(*mount + "/warden-test-scope-that-holds-no-one");
  ASSERT_TRUE(elsewhere.ok());
  auto outside = elsewhere->connectionOwner(connection.clientLocal(), connection.clientRemote());
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("outside the intercepted"), std::string::npos) << outside.error().message;

  // The attached cgroup spelled another way is still the same cgroup; a
  // sibling whose name merely starts with it is not.
  for (const std::string& spelled : {*mount + "/", *mount + "/./", *mount + "/warden-test-scope-that-holds-no-one/.."}) {
    auto same = makeWorkloadLookups(spelled);
    ASSERT_TRUE(same.ok());
    auto inside = same->connectionOwner(connection.clientLocal(), connection.clientRemote());
    EXPECT_TRUE(inside.ok()) << spelled << ": " << (inside.ok() ? "" : inside.error().message);
  }
  auto prefixed = makeWorkloadLookups(*mount + "x");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_FALSE(prefixed->connectionOwner(connection.clientLocal(), connection.clientRemote()).ok());
}

}  // namespace
}  // namespace warden::app
