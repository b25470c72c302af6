#include "kernel/pin_dir.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "core/log.h"
#include "core/unique_fd.h"
#include "kernel/heartbeat_wait.h"

namespace warden::kernel {
namespace {

constexpr const char* kConventionalBpffs = "/sys/fs/bpf";
constexpr const char* kMapsSubdir = "/maps";
constexpr const char* kLinksSubdir = "/links";
constexpr const char* kHeartbeatMap = "warden_heartbeat";

bool isBpffs(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<uint64_t>(fs.f_type) == BPF_FS_MAGIC;
}

std::string parentOf(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status makeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return {};
  return errnoError("create " + path);
}

// Unlinks every entry of a pin subdirectory; on bpffs that drops the pin's
// reference (a link whose last reference goes detaches its program).
void unlinkAll(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), ::closedir);
  if (!handle) return;
  while (dirent* entry = ::readdir(handle.get())) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) != 0) {
      logger("kernel")->warn("could not remove stale pin {}: {}", path, std::strerror(errno));
    } else {
      logger("kernel")->info("removed stale pin {} left by a previous agent", path);
    }
  }
}

uint64_t monotonicNowNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

PinDir::PinDir(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

std::string PinDir::mapPath(const std::string& mapName) const {
  return path_ + kMapsSubdir + "/" + mapName;
}

std::string PinDir::linkPath(const std::string& programName) const {
  return path_ + kLinksSubdir + "/" + programName;
}

Status PinDir::prepare(std::chrono::nanoseconds liveWindow) {
  if (path_.empty() || path_[0] != '/' || path_ == "/") {
    return Error{"BPF pin directory '" + path_ + "' must be an absolute path below a bpffs mount"};
  }
  if (auto ok = ensureOnBpffs(); !ok) return ok;
  if (auto ok = makeDir(path_); !ok) return ok;
  if (auto ok = refuseIfAgentAlive(liveWindow); !ok) return ok;
  removeStalePins();
  if (auto ok = makeDir(path_ + kMapsSubdir); !ok) return ok;
  return makeDir(path_ + kLinksSubdir);
}

Status PinDir::ensureOnBpffs() const {
  if (isBpffs(path_)) return {};  // pin dir is itself a bpffs mount
  const std::string parent = parentOf(path_);
  if (isBpffs(parent)) return {};
  if (parent != kConventionalBpffs) {
    return Error{"BPF pin directory " + path_ + ": " + parent +
                 " is not a bpffs mount; mount one (mount -t bpf bpf " + parent +
                 ") or pin below /sys/fs/bpf"};
  }
  if (::mount("bpf", kConventionalBpffs, "bpf", 0, "mode=0700") != 0) {
    return errnoError(std::string("mount bpffs on ") + kConventionalBpffs +
                      " (needs CAP_SYS_ADMIN; or mount it before starting the agent)");
  }
  logger("kernel")->info("mounted bpffs on {}", kConventionalBpffs);
  return {};
}

// Two agents on one pin directory would detach each other's programs.
Status PinDir::refuseIfAgentAlive(std::chrono::nanoseconds liveWindow) const {
  auto log = logger("kernel");
  const auto age = otherAgentHeartbeatAge();
  if (!age || *age > liveWindow) return {};
  log->info("another agent's heartbeat on {} is {} ms old; waiting up to {} ms for it to go stale "
            "(normal right after a crash)",
            path_, std::chrono::duration_cast<std::chrono::milliseconds>(*age).count(),
            std::chrono::duration_cast<std::chrono::milliseconds>(liveWindow + kHeartbeatWaitGrace).count());
  const HeartbeatWait wait =
      waitForStaleHeartbeat([this] { return otherAgentHeartbeatAge(); }, liveWindow, WaitClock::real());
  const auto waitedMs = std::chrono::duration_cast<std::chrono::milliseconds>(wait.waited).count();
  if (!wait.otherAlive) {
    log->info("the previous agent on {} is gone (waited {} ms); taking over its pins", path_, waitedMs);
    return {};
  }
  return Error{"another warden agent is alive on " + path_ + " (heartbeat " +
               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(wait.lastAge).count()) +
               " ms ago, still beating after " + std::to_string(waitedMs) +
               " ms); stop it first or use another bpf pin directory"};
}

// Re-opened on every call: a pin that disappears means the other agent shut
// down cleanly.
std::optional<std::chrono::nanoseconds> PinDir::otherAgentHeartbeatAge() const {
  const std::string pin = mapPath(kHeartbeatMap);
  UniqueFd map(::bpf_obj_get(pin.c_str()));
  if (!map.valid()) return std::nullopt;
  uint32_t zero = 0;
  uint64_t beat = 0;
  if (::bpf_map_lookup_elem(map.get(), &zero, &beat) != 0 || beat == 0) return std::nullopt;
  const uint64_t now = monotonicNowNs();
  // A beat from the future (same clock, so a race with its write) is fresh.
  return std::chrono::nanoseconds(now > beat ? now - beat : 0);
}

void PinDir::removeStalePins() const {
  unlinkAll(path_ + kLinksSubdir);
  unlinkAll(path_ + kMapsSubdir);
}

void PinDir::removeDirectories() const {
  for (const std::string& dir : {path_ + kLinksSubdir, path_ + kMapsSubdir, path_}) {
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
      logger("kernel")->warn("could not remove {}: {}", dir, std::strerror(errno));
    }
  }
}

}  // namespace warden::kernel
