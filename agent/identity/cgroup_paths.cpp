#include "identity/cgroup_paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "core/log.h"
#include "core/unique_fd.h"

namespace warden::identity {
namespace {

std::string join(const std::string& parent, const char* name) {
  return parent.empty() ? std::string(name) : parent + "/" + name;
}

}  // namespace

CgroupPaths::CgroupPaths(std::string mountPath, CgroupPathsOptions options)
    : mountPath_(std::move(mountPath)), options_(std::move(options)) {}

Result<CgroupPath> CgroupPaths::resolve(uint64_t cgroupId) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(cgroupId);
  if (found != entries_.end()) return CgroupPath{found->second.path, found->second.removed};

  const auto now = options_.clock();
  if (scanned_ && now - lastScan_ < options_.rescanInterval) {
    return Error{"cgroup id " + std::to_string(cgroupId) + " is not under " + mountPath_ + " (tree walked " +
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - lastScan_).count()) +
                 " ms ago; it was created since or removed before it was seen)"};
  }
  if (auto scanned = rescanLocked(now); !scanned) return scanned.error();
  found = entries_.find(cgroupId);
  if (found != entries_.end()) return CgroupPath{found->second.path, found->second.removed};
  return Error{"cgroup id " + std::to_string(cgroupId) + " is not under " + mountPath_ +
               ": the cgroup was removed before it was seen, or the id is not from this cgroup v2 hierarchy"};
}

void CgroupPaths::forget(uint64_t cgroupId) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(cgroupId);
  if (found == entries_.end()) return;
  if (found->second.removed) --removedCount_;
  entries_.erase(found);
  // Let the next miss walk at once: the caller knows the tree changed.
  scanned_ = false;
}

size_t CgroupPaths::scans() const {
  std::lock_guard lock(mutex_);
  return scans_;
}

Status CgroupPaths::rescanLocked(SteadyClock::time_point now) {
  struct stat rootStat {};
  if (::stat(mountPath_.c_str(), &rootStat) != 0) {
    return errnoError("stat cgroup v2 mount " + mountPath_).wrap("resolve cgroup ids");
  }
  std::unordered_map<uint64_t, std::string> seen;
  seen.emplace(rootStat.st_ino, "");

  // Depth-first with an explicit stack: cgroup trees nest deeply under
  // kubepods and recursion would put the depth on the thread's stack.
  std::vector<std::string> pending{""};
  bool truncated = false;
  while (!pending.empty()) {
    const std::string relative = std::move(pending.back());
    pending.pop_back();
    const std::string absolute = relative.empty() ? mountPath_ : mountPath_ + "/" + relative;
    UniqueFd fd(::open(absolute.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) continue;  // removed while we walked
    DIR* dir = ::fdopendir(fd.get());
    if (dir == nullptr) continue;
    const int dirFd = fd.release();  // closedir closes it
    while (const dirent* entry = ::readdir(dir)) {
      const std::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      uint64_t inode = entry->d_ino;
      bool isDir = entry->d_type == DT_DIR;
      if (entry->d_type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(dirFd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        isDir = S_ISDIR(st.st_mode);
        inode = st.st_ino;
      }
      if (!isDir) continue;
      if (seen.size() >= options_.maxDirectories) {
        truncated = true;
        break;
      }
      std::string child = join(relative, entry->d_name);
      seen.emplace(inode, child);
      pending.push_back(std::move(child));
    }
    ::closedir(dir);
    if (truncated) break;
  }
  if (truncated) {
    logger("identity")
        ->warn(
            "cgroup walk of {} stopped at {} directories; ids below are unresolved "
            "(raise identity cgroup max_directories if the host really has that many)",
            mountPath_, options_.maxDirectories);
  }

  for (auto& [id, entry] : entries_) {
    if (seen.count(id) == 0 && !entry.removed) {
      entry.removed = true;
      entry.removedAt = now;
      ++removedCount_;
    }
  }
  for (auto& [id, path] : seen) {
    auto& entry = entries_[id];
    if (entry.removed) --removedCount_;
    entry = Entry{std::move(path), false, {}};
  }
  expireRemovedLocked(now);
  scanned_ = true;
  lastScan_ = now;
  ++scans_;
  return {};
}

void CgroupPaths::expireRemovedLocked(SteadyClock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.removed && now - it->second.removedAt > options_.removedRetention) {
      --removedCount_;
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  if (removedCount_ <= options_.maxRemembered) return;
  std::vector<std::pair<SteadyClock::time_point, uint64_t>> removed;
  removed.reserve(removedCount_);
  for (const auto& [id, entry] : entries_) {
    if (entry.removed) removed.emplace_back(entry.removedAt, id);
  }
  std::sort(removed.begin(), removed.end());
  const size_t excess = removedCount_ - options_.maxRemembered;
  for (size_t i = 0; i < excess; ++i) entries_.erase(removed[i].second);
  removedCount_ -= excess;
}

}  // namespace warden::identity
