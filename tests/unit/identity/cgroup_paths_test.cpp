#include "identity/cgroup_paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/cgroup2_mount.h"
#include "identity/proc_reader.h"
#include "temp_dir.h"

namespace warden::identity {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

struct FakeClock {
  SteadyClock::time_point now = SteadyClock::time_point{} + 1h;
  ClockFunction function() {
    return [this] { return now; };
  }
};

CgroupPathsOptions withClock(FakeClock& clock) {
  CgroupPathsOptions options;
  options.clock = clock.function();
  options.rescanInterval = 250ms;
  options.removedRetention = 60s;
  return options;
}

constexpr uint64_t kUnknownId = 0x7fffffff12345ull;

TEST(CgroupPaths, ResolvesEveryDirectoryByItsInode) {
  TempDir root;
  const uint64_t nginx = root.makeDir("system.slice/nginx.service");
  const uint64_t session = root.makeDir("user.slice/user-1000.slice/session-3.scope");
  const uint64_t slice = root.inodeOf("user.slice");
  FakeClock clock;
  CgroupPaths paths(root.path(), withClock(clock));

  auto found = paths.resolve(nginx);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->path, "system.slice/nginx.service");
  EXPECT_FALSE(found->removed);
  EXPECT_EQ(paths.resolve(session)->path, "user.slice/user-1000.slice/session-3.scope");
  EXPECT_EQ(paths.resolve(slice)->path, "user.slice");
  EXPECT_EQ(paths.resolve(root.inodeOf("."))->path, "");
  EXPECT_EQ(paths.scans(), 1u) << "hits after the first walk come from the cache";
}

TEST(CgroupPaths, MissRescansAtMostOncePerInterval) {
  TempDir root;
  root.makeDir("system.slice");
  FakeClock clock;
  CgroupPaths paths(root.path(), withClock(clock));
  ASSERT_TRUE(paths.resolve(root.inodeOf("system.slice")).ok());
  ASSERT_EQ(paths.scans(), 1u);

  const uint64_t late = root.makeDir("system.slice/late.service");
  clock.now += 100ms;
  auto tooSoon = paths.resolve(late);
  ASSERT_FALSE(tooSoon.ok());
  EXPECT_NE(tooSoon.error().message.find("walked"), std::string::npos) << tooSoon.error().message;
  EXPECT_EQ(paths.scans(), 1u);

  clock.now += 200ms;
  auto found = paths.resolve(late);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->path, "system.slice/late.service");
  EXPECT_EQ(paths.scans(), 2u);

  clock.now += 1s;
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());
  EXPECT_EQ(paths.scans(), 3u) << "a repeated miss within the interval must not walk again";
}

TEST(CgroupPaths, RemovedCgroupKeepsResolvingForTheRetentionTime) {
  TempDir root;
  const uint64_t scope = root.makeDir("system.slice/run-u42.scope");
  FakeClock clock;
  CgroupPaths paths(root.path(), withClock(clock));
  ASSERT_TRUE(paths.resolve(scope).ok());

  ASSERT_EQ(::rmdir((root / "system.slice/run-u42.scope").c_str()), 0);
  clock.now += 1s;
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());  // a miss walks the tree again
  ASSERT_EQ(paths.scans(), 2u);

  auto gone = paths.resolve(scope);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(gone->path, "system.slice/run-u42.scope");
  EXPECT_TRUE(gone->removed);

  clock.now += 61s;
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());  // this walk expires it
  clock.now += 1s;
  auto expired = paths.resolve(scope);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("removed before it was seen"), std::string::npos) << expired.error().message;
}

TEST(CgroupPaths, OldestRemovedEntriesGoFirstOverTheBound) {
  TempDir root;
  const uint64_t first = root.makeDir("a.scope");
  const uint64_t second = root.makeDir("b.scope");
  FakeClock clock;
  auto options = withClock(clock);
  options.maxRemembered = 1;
  CgroupPaths paths(root.path(), options);
  ASSERT_TRUE(paths.resolve(first).ok());

  ASSERT_EQ(::rmdir((root / "a.scope").c_str()), 0);
  clock.now += 1s;
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());
  ASSERT_EQ(::rmdir((root / "b.scope").c_str()), 0);
  clock.now += 1s;
  EXPECT_FALSE(paths.resolve(kUnknownId).ok());

  EXPECT_TRUE(paths.resolve(second).ok()) << "the latest removal is kept";
  EXPECT_FALSE(paths.resolve(first).ok()) << "the earlier one went over the bound of 1";
}

TEST(CgroupPaths, ForgetLetsTheNextLookupWalkAtOnce) {
  TempDir root;
  const uint64_t id = root.makeDir("system.slice/old-name.service");
  FakeClock clock;
  CgroupPaths paths(root.path(), withClock(clock));
  ASSERT_EQ(paths.resolve(id)->path, "system.slice/old-name.service");

  // A rename keeps the inode: only a walk sees the new path.
  std::filesystem::rename(root / "system.slice/old-name.service", root / "system.slice/new-name.service");
  EXPECT_EQ(paths.resolve(id)->path, "system.slice/old-name.service");
  paths.forget(id);
  auto renamed = paths.resolve(id);
  ASSERT_TRUE(renamed.ok()) << renamed.error().message;
  EXPECT_EQ(renamed->path, "system.slice/new-name.service");
  EXPECT_EQ(paths.scans(), 2u);
}

TEST(CgroupPaths, WalkStopsAtTheDirectoryBound) {
  TempDir root;
  for (int i = 0; i < 20; ++i) root.makeDir("many.slice/unit-" + std::to_string(i) + ".service");
  FakeClock clock;
  auto options = withClock(clock);
  options.maxDirectories = 5;
  CgroupPaths paths(root.path(), options);
  int resolved = 0;
  for (int i = 0; i < 20; ++i) {
    if (paths.resolve(root.inodeOf("many.slice/unit-" + std::to_string(i) + ".service")).ok()) ++resolved;
  }
  EXPECT_GT(resolved, 0);
  EXPECT_LT(resolved, 5);
  EXPECT_EQ(paths.scans(), 1u);
}

TEST(CgroupPaths, MissingMountSaysWhatFailed) {
  FakeClock clock;
  CgroupPaths paths("/nonexistent/warden-cgroup", withClock(clock));
  auto result = paths.resolve(1);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("/nonexistent/warden-cgroup"), std::string::npos);
}

TEST(CgroupPaths, ResolvesOwnCgroupOnThisHost) {
  auto mount = findCgroup2Mount();
  ASSERT_TRUE(mount.ok()) << mount.error().message;
  auto own = readCgroupV2Path("/proc", static_cast<uint32_t>(::getpid()));
  ASSERT_TRUE(own.ok()) << own.error().message;
  struct stat st {};
  const std::string dir = own->empty() ? *mount : *mount + "/" + *own;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0) << dir;

  CgroupPaths paths(*mount);
  auto found = paths.resolve(st.st_ino);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->path, *own);
}

}  // namespace
}  // namespace warden::identity
