#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/cgroup2_mount.h"

namespace warden {
namespace {

// Writes /proc/mounts-format text to a temp file removed on destruction.
class MountsFile {
 public:
  explicit MountsFile(const std::string& text) {
    char tmpl[] = "/tmp/warden-mounts-XXXXXX";
    int fd = ::mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
    std::ofstream(path_) << text;
  }
  ~MountsFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(FindCgroup2Mount, UnifiedHost) {
  MountsFile mounts(
      "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
      "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
      "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"
      "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0\n");
  auto root = findCgroup2Mount(mounts.path());
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, "/sys/fs/cgroup");
}

TEST(FindCgroup2Mount, HybridHostUsesUnifiedMount) {
  MountsFile mounts(
      "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
      "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
      "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
      "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n");
  auto root = findCgroup2Mount(mounts.path());
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, "/sys/fs/cgroup/unified");
}

TEST(FindCgroup2Mount, V1OnlyHostIsAnErrorThatSaysWhatToDo) {
  MountsFile mounts(
      "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
      "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n");
  auto root = findCgroup2Mount(mounts.path());
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.error().message.find("no cgroup2"), std::string::npos);
  EXPECT_NE(root.error().message.find("mount -t cgroup2"), std::string::npos);
}

TEST(FindCgroup2Mount, DecodesOctalEscapesInMountPoint) {
  MountsFile mounts("none /mnt/my\\040cgroups cgroup2 rw 0 0\n");
  auto root = findCgroup2Mount(mounts.path());
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, "/mnt/my cgroups");
}

TEST(FindCgroup2Mount, MissingFileNamesThePath) {
  auto root = findCgroup2Mount("/nonexistent/warden/mounts");
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.error().message.find("/nonexistent/warden/mounts"), std::string::npos);
}

TEST(FindCgroup2Mount, ReadsThisHostsProcMounts) {
  std::ifstream in("/proc/mounts");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto root = findCgroup2Mount();
  EXPECT_EQ(root.ok(), text.find(" cgroup2 ") != std::string::npos);
}

}  // namespace
}  // namespace warden
