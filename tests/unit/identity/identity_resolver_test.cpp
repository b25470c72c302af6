#include "identity/identity_resolver.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>
#include <vector>

#include "identity/proc_reader.h"
#include "loopback_connection.h"
#include "temp_dir.h"

namespace warden::identity {
namespace {

using testing::LoopbackConnection;
using testing::TempDir;

const std::string kId = "3f4c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";

std::unique_ptr<IdentityResolver> resolverOn(const TempDir& cgroupRoot, const std::string& procRoot = "/proc") {
  IdentityResolverOptions options;
  options.cgroupMount = cgroupRoot.path();
  options.processes.procRoot = procRoot;
  // The test binary is hashed; built with sanitizers it is over the default limit.
  const uint64_t ownSize = std::filesystem::file_size(std::filesystem::read_symlink("/proc/self/exe"));
  options.processes.maxHashBytes = std::max<uint64_t>(options.processes.maxHashBytes, ownSize);
  auto resolver = IdentityResolver::create(options);
  EXPECT_TRUE(resolver.ok()) << resolver.error().message;
  return resolver.ok() ? std::move(resolver).value() : nullptr;
}

KernelIdentity self(uint64_t cgroupId) {
  KernelIdentity kernel;
  kernel.tgid = static_cast<uint32_t>(::getpid());
  kernel.pid = kernel.tgid;
  kernel.uid = ::getuid();
  kernel.gid = ::getgid();
  kernel.cgroupId = cgroupId;
  kernel.comm = "warden_unit_tes";
  return kernel;
}

TEST(IdentityResolver, LiveProcessInAServiceUnit) {
  TempDir cgroups;
  const uint64_t unitId = cgroups.makeDir("system.slice/llm-agent.service");
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);

  const WorkloadIdentity identity = resolver->resolve(self(unitId));
  EXPECT_TRUE(identity.cgroupResolved);
  EXPECT_EQ(identity.cgroupPath, "system.slice/llm-agent.service");
  EXPECT_FALSE(identity.cgroupRemoved);
  EXPECT_EQ(identity.workload.unit, "system.slice/llm-agent.service");
  EXPECT_FALSE(identity.processExited);
  ASSERT_TRUE(identity.executable.has_value());
  EXPECT_EQ(identity.executable->path, std::filesystem::read_symlink("/proc/self/exe").string());
  EXPECT_EQ(identity.executable->sha256.size(), 64u);
  EXPECT_EQ(identity.userName, ::getpwuid(::getuid())->pw_name);
  EXPECT_EQ(identity.workloadKey(), "unit:system.slice/llm-agent.service");
  EXPECT_TRUE(identity.notes.empty()) << identity.notes.front();
  EXPECT_EQ(identity.kernel.cgroupId, unitId);
}

uint64_t monotonicNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
}

// The process that connected is still the one under its pid: attributed.
TEST(IdentityResolver, TheProcessThatConnectedKeepsItsExecutable) {
  TempDir cgroups;
  const uint64_t unitId = cgroups.makeDir("system.slice/llm-agent.service");
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);
  KernelIdentity kernel = self(unitId);
  kernel.connectNs = monotonicNs();
  const WorkloadIdentity identity = resolver->resolve(kernel);
  EXPECT_FALSE(identity.processExited);
  ASSERT_TRUE(identity.executable.has_value());
  EXPECT_EQ(identity.executable->path, std::filesystem::read_symlink("/proc/self/exe").string());
}

// The pid now belongs to a process started after the connect(): its
// executable is not the workload's. The cgroup still names the workload.
TEST(IdentityResolver, AReusedPidIsNotAttributedToItsNewProcess) {
  TempDir cgroups;
  const uint64_t unitId = cgroups.makeDir("system.slice/llm-agent.service");
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);
  const uint64_t connectedAt = monotonicNs();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // start times are in 10 ms ticks
  const pid_t later = ::fork();
  ASSERT_GE(later, 0);
  if (later == 0) {
    ::pause();
    ::_exit(0);
  }
  KernelIdentity kernel = self(unitId);
  kernel.tgid = kernel.pid = static_cast<uint32_t>(later);
  kernel.connectNs = connectedAt;
  const WorkloadIdentity identity = resolver->resolve(kernel);
  ::kill(later, SIGKILL);
  ::waitpid(later, nullptr, 0);

  EXPECT_TRUE(identity.processExited);
  EXPECT_FALSE(identity.executable.has_value());
  ASSERT_FALSE(identity.notes.empty());
  EXPECT_NE(identity.notes.back().find("reused"), std::string::npos) << identity.notes.back();
  EXPECT_EQ(identity.workloadKey(), "unit:system.slice/llm-agent.service");
}

TEST(IdentityResolver, ExitedProcessResolvesFromItsCgroupAlone) {
  TempDir cgroups;
  const uint64_t scopeId = cgroups.makeDir("system.slice/docker-" + kId + ".scope");
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);

  KernelIdentity kernel = self(scopeId);
  kernel.tgid = static_cast<uint32_t>(child);
  const WorkloadIdentity identity = resolver->resolve(kernel);
  EXPECT_TRUE(identity.processExited);
  EXPECT_FALSE(identity.executable.has_value());
  EXPECT_EQ(identity.workload.runtime, ContainerRuntime::kDocker);
  EXPECT_EQ(identity.workloadKey(), "container:docker/" + kId);
  ASSERT_FALSE(identity.notes.empty());
  EXPECT_NE(identity.notes.front().find("exited"), std::string::npos) << identity.notes.front();
}

TEST(IdentityResolver, RemovedCgroupOfAnExitedProcessStillNamesTheWorkload) {
  TempDir cgroups;
  const uint64_t scopeId = cgroups.makeDir("user.slice/user-1000.slice/session-7.scope");
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);
  KernelIdentity kernel = self(scopeId);
  kernel.tgid = 0;
  ASSERT_TRUE(resolver->resolve(kernel).cgroupResolved);  // seen once while it lived

  ASSERT_EQ(::rmdir((cgroups / "user.slice/user-1000.slice/session-7.scope").c_str()), 0);
  resolver->forgetCgroup(cgroups.inodeOf("user.slice"));  // any forget makes the next miss walk
  const WorkloadIdentity unknown = resolver->resolve(self(0x7fffffff12345ull));
  EXPECT_FALSE(unknown.cgroupResolved);
  EXPECT_EQ(unknown.workloadKey(), "exe:" + std::filesystem::read_symlink("/proc/self/exe").string());

  const WorkloadIdentity identity = resolver->resolve(kernel);
  EXPECT_TRUE(identity.cgroupResolved);
  EXPECT_TRUE(identity.cgroupRemoved);
  EXPECT_EQ(identity.workloadKey(), "unit:user.slice/user-1000.slice/session-7.scope");
}

TEST(IdentityResolver, CachedExecutableIsCheckedAgainstTheRunningFile) {
  TempDir cgroups;
  TempDir proc;
  TempDir files;
  constexpr uint32_t kPid = 777;
  std::filesystem::create_directories(proc / "777");
  files.write("agent", "version one\n");
  std::filesystem::create_symlink(files / "agent", proc / "777/exe");
  auto resolver = resolverOn(cgroups, proc.path());
  ASSERT_TRUE(resolver);
  KernelIdentity kernel = self(0);
  kernel.tgid = kPid;

  const auto first = resolver->resolve(kernel);
  ASSERT_TRUE(first.executable.has_value()) << first.notes.back();
  // Same inode and size, new content; after a tick, since file times are
  // only as fine as the kernel's timestamp granularity.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  files.write("agent", "version two\n");
  const auto second = resolver->resolve(kernel);
  ASSERT_TRUE(second.executable.has_value());
  EXPECT_NE(second.executable->sha256, first.executable->sha256);

  // A second name for the same inode: the stamp cannot tell, so the cache
  // keeps the old path until the process is forgotten.
  ASSERT_EQ(::link((files / "agent").c_str(), (files / "agent-renamed").c_str()), 0);
  ASSERT_EQ(::unlink((files / "agent").c_str()), 0);
  std::filesystem::remove(proc / "777/exe");
  std::filesystem::create_symlink(files / "agent-renamed", proc / "777/exe");
  EXPECT_EQ(resolver->resolve(kernel).executable->path, files / "agent");
  resolver->forgetProcess(kPid);
  const auto third = resolver->resolve(kernel);
  ASSERT_TRUE(third.executable.has_value());
  EXPECT_EQ(third.executable->path, files / "agent-renamed");
  EXPECT_EQ(third.executable->sha256, second.executable->sha256);
}

TEST(IdentityResolver, WorkloadKeyPrefersContainerThenUnitThenCgroupThenExe) {
  WorkloadIdentity identity;
  identity.kernel.comm = "curl";
  EXPECT_EQ(identity.workloadKey(), "comm:curl");
  identity.executable = ExecutableInfo{};
  identity.executable->path = "/usr/bin/curl";
  EXPECT_EQ(identity.workloadKey(), "exe:/usr/bin/curl");
  identity.cgroupResolved = true;
  identity.cgroupPath = "";
  EXPECT_EQ(identity.workloadKey(), "cgroup:/");
  identity.cgroupPath = "batch/job-1";
  EXPECT_EQ(identity.workloadKey(), "cgroup:/batch/job-1");
  identity.workload = parseWorkloadName("system.slice/cri-containerd-" + kId + ".scope");
  EXPECT_EQ(identity.workloadKey(), "container:containerd/" + kId);
  identity.workload = parseWorkloadName("system.slice/cron.service");
  EXPECT_EQ(identity.workloadKey(), "unit:system.slice/cron.service");
}

TEST(IdentityResolver, FindsTheMountInTheMountsFile) {
  TempDir dir;
  dir.write("mounts", "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n");
  IdentityResolverOptions options;
  options.mountsPath = dir / "mounts";
  auto resolver = IdentityResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  EXPECT_EQ((*resolver)->cgroupMount(), "/sys/fs/cgroup/unified");

  dir.write("mounts", "proc /proc proc rw 0 0\n");
  auto none = IdentityResolver::create(options);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("cgroup v2"), std::string::npos) << none.error().message;
}

TEST(IdentityResolver, ConnectionWithoutARecordResolvesThroughSockDiag) {
  IdentityResolverOptions options;  // this host's cgroup v2 mount and /proc
  auto resolver = IdentityResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  LoopbackConnection connection(AF_INET, "127.0.0.1", AF_INET);
  ASSERT_TRUE(connection.ok());

  auto identity = (*resolver)->resolveConnection(connection.clientLocal(), connection.clientRemote());
  ASSERT_TRUE(identity.ok()) << identity.error().message;
  EXPECT_EQ(identity->kernel.source, IdentitySource::SocketDiag);
  EXPECT_EQ(identity->kernel.tgid, static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(identity->kernel.uid, ::getuid());
  EXPECT_EQ(identity->kernel.gid, ::getgid());
  auto ownCgroup = readCgroupV2Path("/proc", static_cast<uint32_t>(::getpid()));
  ASSERT_TRUE(ownCgroup.ok()) << ownCgroup.error().message;
  EXPECT_TRUE(identity->cgroupResolved);
  EXPECT_EQ(identity->cgroupPath, *ownCgroup);
  ASSERT_TRUE(identity->executable.has_value());
  EXPECT_EQ(identity->executable->path, std::filesystem::read_symlink("/proc/self/exe").string());
}

TEST(IdentityResolver, ConcurrentResolvesAgree) {
  TempDir cgroups;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(cgroups.makeDir("system.slice/svc-" + std::to_string(i) + ".service"));
  auto resolver = resolverOn(cgroups);
  ASSERT_TRUE(resolver);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        const int i = (round + t) % 8;
        const auto identity = resolver->resolve(self(ids[i]));
        if (identity.workloadKey() != "unit:system.slice/svc-" + std::to_string(i) + ".service" ||
            !identity.executable || identity.executable->sha256.size() != 64) {
          ++wrong[t];
        }
        if (round % 10 == 0) resolver->forgetProcess(static_cast<uint32_t>(::getpid()));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace warden::identity
