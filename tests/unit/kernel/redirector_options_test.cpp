// attach() rejects bad options before it touches BPF, so these run unprivileged.
#include <gtest/gtest.h>

#include "kernel/bpf_redirector.h"

namespace warden::kernel {
namespace {

RedirectorOptions validOptions() {
  RedirectorOptions options;
  options.cgroupPath = "/tmp";
  options.pinDir = "/sys/fs/bpf/warden-unit-test";
  options.listenPort = 15001;
  return options;
}

TEST(BpfRedirectorAttach, RejectsPortZero) {
  auto options = validOptions();
  options.listenPort = 0;
  auto attached = BpfRedirector::attach(options);
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().message.find("listen port 0"), std::string::npos);
}

TEST(BpfRedirectorAttach, RejectsNonPositiveHeartbeatTimeout) {
  auto options = validOptions();
  options.heartbeatTimeout = std::chrono::milliseconds(0);
  EXPECT_FALSE(BpfRedirector::attach(options).ok());
}

TEST(BpfRedirectorAttach, RejectsDirectoryThatIsNotCgroup2) {
  auto attached = BpfRedirector::attach(validOptions());
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().message.find("/tmp is not a cgroup v2 directory"), std::string::npos)
      << attached.error().message;
}

TEST(BpfRedirectorAttach, NamesAMissingCgroup) {
  auto options = validOptions();
  options.cgroupPath = "/nonexistent/warden-cgroup";
  auto attached = BpfRedirector::attach(options);
  ASSERT_FALSE(attached.ok());
  EXPECT_NE(attached.error().message.find("open cgroup /nonexistent/warden-cgroup"), std::string::npos);
}

TEST(CurrentNetnsCookie, IsStableAndNonZero) {
  auto first = currentNetnsCookie();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_NE(*first, 0u);
  auto second = currentNetnsCookie();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

}  // namespace
}  // namespace warden::kernel
