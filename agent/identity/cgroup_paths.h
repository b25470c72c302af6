// cgroup v2 id -> path below the cgroup v2 mount ("system.slice/nginx.service";
// "" is the root). On cgroup v2 the id the kernel reports (bpf_get_current_cgroup_id)
// is the inode number of the cgroup's directory, so the map is built by walking
// the tree. A miss rescans, at most once per rescanInterval, because a walk of a
// busy host's tree costs milliseconds. Ids whose directory went away keep
// resolving for removedRetention, so a connection from a process (or scope) that
// ended before we looked still names its workload.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "identity/clock.h"

namespace warden::identity {

struct CgroupPathsOptions {
  std::chrono::milliseconds rescanInterval{250};
  std::chrono::seconds removedRetention{600};
  size_t maxDirectories = 200000;  // a walk stops here (and says so) on pathological trees
  size_t maxRemembered = 20000;    // removed ids kept; the oldest go first
  ClockFunction clock = realClock();
};

struct CgroupPath {
  std::string path;      // relative to the mount, no leading '/'
  bool removed = false;  // the directory is gone; known from an earlier walk
};

class CgroupPaths {
 public:
  explicit CgroupPaths(std::string mountPath, CgroupPathsOptions options = {});

  Result<CgroupPath> resolve(uint64_t cgroupId);
  // Drops what is known about the id; the next resolve walks the tree again
  // (subject to rescanInterval) if it is asked for.
  void forget(uint64_t cgroupId);

  const std::string& mountPath() const { return mountPath_; }
  size_t scans() const;  // walks done so far, for tests and status

 private:
  struct Entry {
    std::string path;
    bool removed = false;
    SteadyClock::time_point removedAt{};
  };

  Status rescanLocked(SteadyClock::time_point now);
  void expireRemovedLocked(SteadyClock::time_point now);

  const std::string mountPath_;
  const CgroupPathsOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  bool scanned_ = false;
  SteadyClock::time_point lastScan_{};
  size_t scans_ = 0;
  size_t removedCount_ = 0;
};

}  // namespace warden::identity
