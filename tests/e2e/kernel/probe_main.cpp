// warden_bpf_probe: drives BpfRedirector on the real kernel, without the
// proxy, from inside a cgroup and bpffs the caller created for it
// (run_kernel_e2e.sh). Prints one line per check; exits non-zero on failure.
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/log.h"
#include "probe_env.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: warden_bpf_probe --cgroup DIR --pin-dir DIR --cgroup-id INODE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  probe::Env env;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--cgroup") {
      env.cgroupPath = argv[i + 1];
    } else if (flag == "--pin-dir") {
      env.pinDir = argv[i + 1];
    } else if (flag == "--cgroup-id") {
      env.cgroupId = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      return usage();
    }
  }
  if (env.cgroupPath.empty() || env.pinDir.empty() || env.cgroupId == 0) return usage();
  ::prctl(PR_SET_NAME, "probe-main");
  warden::setLogLevel(spdlog::level::warn);

  if (!probe::setUpNetwork(env.net)) {
    std::perror("set up loopback listeners");
    return 1;
  }

  auto attached = probe::BpfRedirector::attach(env.options(probe::FailMode::Open));
  if (!attached.ok()) {
    std::fprintf(stderr, "FAIL attach: %s\n", attached.error().message.c_str());
    return 1;
  }
  probe::BpfRedirector& redirector = **attached;
  probe::checkAttachedState(env, redirector);
  auto ok = redirector.setTargets(env.targets());
  env.checks.expect(ok.ok(), "setTargets", ok.ok() ? "" : ok.error().message);

  probe::checkNeverWrittenHeartbeatFailsOpen(env, redirector);
  probe::checkRedirects(env, redirector);
  probe::checkQuicRefused(env, redirector);
  probe::checkOtherNetnsNotCovered(env, redirector);
  probe::checkTargetUpdates(env, redirector);
  probe::checkNoListenerFailsOpen(env, redirector);
  probe::checkStaleHeartbeatFailsOpen(env, redirector);
  probe::checkDetached(env, redirector);

  probe::checkCrashAndFailClosed(env);

  std::printf("%d check(s) failed\n", env.checks.failures());
  return env.checks.failures() == 0 ? 0 : 1;
}
