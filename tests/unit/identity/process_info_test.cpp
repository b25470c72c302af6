#include "identity/process_info.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <thread>

#include "temp_dir.h"

namespace warden::identity {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

// The digest from coreutils, so the check does not share code with the subject.
std::string sha256sum(const std::string& path) {
  const std::string command = "sha256sum '" + path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::array<char, 65> digest{};
  const size_t got = std::fread(digest.data(), 1, 64, pipe);
  ::pclose(pipe);
  return std::string(digest.data(), got);
}

std::string ownExe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// The test binary itself is hashed; built with sanitizers it is bigger than
// the default limit.
ProcessInfoOptions hashingOwnExe() {
  ProcessInfoOptions options;
  options.maxHashBytes = std::max<uint64_t>(options.maxHashBytes, std::filesystem::file_size(ownExe()));
  return options;
}

// A fake /proc/<pid>/exe: a symlink to a file the test controls.
struct FakeProc {
  TempDir proc;
  TempDir files;
  static constexpr uint32_t kPid = 4242;
  FakeProc() {
    std::filesystem::create_directories(proc / std::to_string(kPid));
    files.write("tool", "#!/bin/sh\necho one\n");
    std::filesystem::create_symlink(files / "tool", proc / (std::to_string(kPid) + "/exe"));
  }
  ProcessInfoOptions options() const {
    ProcessInfoOptions options;
    options.procRoot = proc.path();
    return options;
  }
};

// A child running a private copy of /bin/sleep, killed and reaped at the end.
class SleepingChild {
 public:
  explicit SleepingChild(const std::string& binary) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(binary.c_str(), "sleep", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait until the exec replaced the forked image.
    for (int i = 0; i < 200; ++i) {
      std::error_code ec;
      if (std::filesystem::read_symlink("/proc/" + std::to_string(pid_) + "/exe", ec)
              .string()
              .find("warden-identity") != std::string::npos) {
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }
  ~SleepingChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(ProcessInfo, OwnExecutableIsNamedAndHashed) {
  ProcessInfo info(hashingOwnExe());
  auto exe = info.executable(static_cast<uint32_t>(::getpid()));
  ASSERT_TRUE(exe.ok()) << exe.error().message;
  EXPECT_EQ(exe->path, ownExe());
  EXPECT_FALSE(exe->deleted);
  EXPECT_EQ(exe->sha256, sha256sum(ownExe()));
  EXPECT_TRUE(exe->hashNote.empty()) << exe->hashNote;
  EXPECT_EQ(exe->size, std::filesystem::file_size(ownExe()));
  EXPECT_NE(exe->stamp.inode, 0u);
}

TEST(ProcessInfo, UnchangedExecutableIsReadOnce) {
  ProcessInfo info(hashingOwnExe());
  const auto self = static_cast<uint32_t>(::getpid());
  auto first = info.executable(self);
  auto second = info.executable(self);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->sha256, second->sha256);
  EXPECT_EQ(info.filesHashed(), 1u);
}

TEST(ProcessInfo, FileRewrittenInPlaceIsHashedAgain) {
  FakeProc fake;
  ProcessInfo info(fake.options());
  auto before = info.executable(FakeProc::kPid);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->path, fake.files / "tool");
  EXPECT_EQ(before->sha256, sha256sum(fake.files / "tool"));

  // Same inode, same size, new bytes and mtime.
  const auto inode = fake.files.inodeOf("tool");
  std::this_thread::sleep_for(20ms);
  fake.files.write("tool", "#!/bin/sh\necho two\n");
  ASSERT_EQ(fake.files.inodeOf("tool"), inode);
  auto after = info.executable(FakeProc::kPid);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->sha256, sha256sum(fake.files / "tool"));
  EXPECT_NE(after->sha256, before->sha256);
  EXPECT_EQ(info.filesHashed(), 2u);
}

TEST(ProcessInfo, OverTheByteLimitIsNotHashedAndSaysSo) {
  FakeProc fake;
  auto options = fake.options();
  options.maxHashBytes = 8;
  ProcessInfo info(options);
  auto exe = info.executable(FakeProc::kPid);
  ASSERT_TRUE(exe.ok()) << exe.error().message;
  EXPECT_TRUE(exe->sha256.empty());
  EXPECT_NE(exe->hashNote.find("over the limit of 8"), std::string::npos) << exe->hashNote;
  EXPECT_EQ(info.filesHashed(), 0u);
}

TEST(ProcessInfo, DeletedExecutableIsMarkedAndStillHashed) {
  TempDir dir;
  const std::string copy = dir / "sleep-copy";
  std::filesystem::copy_file("/bin/sleep", copy);
  std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
  const std::string expected = sha256sum(copy);
  SleepingChild child(copy);
  ASSERT_GT(child.pid(), 0);
  ASSERT_EQ(::unlink(copy.c_str()), 0);

  ProcessInfo info;
  auto exe = info.executable(static_cast<uint32_t>(child.pid()));
  ASSERT_TRUE(exe.ok()) << exe.error().message;
  EXPECT_TRUE(exe->deleted);
  EXPECT_EQ(exe->path, copy);
  EXPECT_EQ(exe->sha256, expected) << "the hash is of the file that runs, though it has no name";
}

TEST(ProcessInfo, StampFollowsTheRunningFile) {
  FakeProc fake;
  ProcessInfo info(fake.options());
  auto exe = info.executable(FakeProc::kPid);
  auto stamped = info.stampOf(FakeProc::kPid);
  ASSERT_TRUE(exe.ok() && stamped.ok());
  EXPECT_EQ(stamped->stamp, exe->stamp);
  EXPECT_EQ(stamped->links, 1u);
  EXPECT_FALSE(info.stampOf(FakeProc::kPid + 1).ok());
}

TEST(ProcessInfo, MissingProcessIsAnError) {
  FakeProc fake;
  ProcessInfo info(fake.options());
  auto exe = info.executable(FakeProc::kPid + 1);
  ASSERT_FALSE(exe.ok());
  EXPECT_NE(exe.error().message.find("readlink"), std::string::npos) << exe.error().message;
}

TEST(ProcessInfo, UserAndGroupNamesComeFromTheAccountDatabase) {
  ProcessInfo info;
  const passwd* user = ::getpwuid(::getuid());
  const group* grp = ::getgrgid(::getgid());
  ASSERT_NE(user, nullptr);
  ASSERT_NE(grp, nullptr);
  EXPECT_EQ(info.userName(::getuid()), user->pw_name);
  EXPECT_EQ(info.groupName(::getgid()), grp->gr_name);
  EXPECT_EQ(info.userName(::getuid()), user->pw_name) << "cached answer";
  EXPECT_EQ(info.userName(3999999999u), "");
  EXPECT_EQ(info.groupName(3999999999u), "");
}

}  // namespace
}  // namespace warden::identity
