#include "kernel/pin_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace warden::kernel {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/warden-pindir-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { ::rmdir(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(PinDir, PathsAreGroupedByKind) {
  PinDir pins("/sys/fs/bpf/warden/");
  EXPECT_EQ(pins.path(), "/sys/fs/bpf/warden");
  EXPECT_EQ(pins.mapPath("warden_targets"), "/sys/fs/bpf/warden/maps/warden_targets");
  EXPECT_EQ(pins.linkPath("warden_connect4"), "/sys/fs/bpf/warden/links/warden_connect4");
}

TEST(PinDir, RefusesRelativePath) {
  PinDir pins("warden");
  auto ok = pins.prepare(std::chrono::seconds(1));
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.error().message.find("absolute"), std::string::npos);
}

TEST(PinDir, RefusesParentThatIsNotBpffsAndCreatesNothing) {
  TempDir parent;  // tmpfs or disk, never bpffs
  PinDir pins(parent.path() + "/warden");
  auto ok = pins.prepare(std::chrono::seconds(1));
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.error().message.find("not a bpffs mount"), std::string::npos) << ok.error().message;
  EXPECT_NE(ok.error().message.find("mount -t bpf bpf " + parent.path()), std::string::npos);
  struct stat st {};
  EXPECT_NE(::stat(pins.path().c_str(), &st), 0);
}

}  // namespace
}  // namespace warden::kernel
