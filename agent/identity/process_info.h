// What the agent can say about a process beyond its ids: the executable it
// runs (path and SHA-256) and its user and group names.
//
// Hashes are cached by the file's (device, inode, size, mtime), so a binary
// replaced in place (same inode, new mtime) or by rename (new inode) is hashed
// again and an unchanged one is never read twice. Reading a large executable
// is slow, so at most maxHashBytes are read: a bigger file gets no hash and a
// note saying why. Names are cached for nameTtl (NSS may be LDAP).
//
// Thread-safe; hashing runs outside the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/result.h"
#include "identity/clock.h"
#include "identity/lru_cache.h"

namespace warden::identity {

struct ProcessInfoOptions {
  std::string procRoot = "/proc";
  uint64_t maxHashBytes = 256ull << 20;
  size_t maxCachedHashes = 4096;
  size_t maxCachedNames = 4096;
  std::chrono::seconds nameTtl{300};
  ClockFunction clock = realClock();
};

// Which file a process runs, as far as caching needs to know: a file written
// in place changes size or mtime, one replaced by rename changes inode.
struct ExecutableStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtimeSec = 0;
  int64_t mtimeNsec = 0;
  friend bool operator==(const ExecutableStamp&, const ExecutableStamp&) = default;
};

struct ExecutableInfo {
  std::string path;      // as the kernel names it, without " (deleted)"
  bool deleted = false;  // unlinked or replaced since the process started
  std::string sha256;    // lowercase hex; empty when not hashed (see hashNote)
  std::string hashNote;  // why sha256 is empty
  uint64_t size = 0;
  ExecutableStamp stamp;  // zero when the file could not be opened
};

class ProcessInfo {
 public:
  explicit ProcessInfo(ProcessInfoOptions options = {});

  // Fails when the process is gone or its exe cannot be read (kernel threads
  // have none; other users' processes need CAP_SYS_PTRACE).
  Result<ExecutableInfo> executable(uint32_t tgid);
  // One stat() of /proc/<tgid>/exe: tells whether a cached ExecutableInfo of
  // the process still holds (nlink too, so a later unlink is noticed).
  struct Stamped {
    ExecutableStamp stamp;
    uint64_t links = 0;
  };
  Result<Stamped> stampOf(uint32_t tgid) const;

  // "" when the id has no name (a container's uid with no host account).
  std::string userName(uint32_t uid);
  std::string groupName(uint32_t gid);

  size_t filesHashed() const;  // reads of executables so far, for tests and status

 private:
  struct StampHash {
    size_t operator()(const ExecutableStamp& stamp) const;
  };
  struct HashEntry {
    std::string sha256;
    std::string note;
  };
  struct NameEntry {
    std::string name;
    SteadyClock::time_point fetched;
  };

  std::string cachedName(LruCache<uint32_t, NameEntry>& cache, uint32_t id, bool user);

  const ProcessInfoOptions options_;
  mutable std::mutex mutex_;
  LruCache<ExecutableStamp, HashEntry, StampHash> hashes_;
  LruCache<uint32_t, NameEntry> users_;
  LruCache<uint32_t, NameEntry> groups_;
  size_t filesHashed_ = 0;
};

}  // namespace warden::identity
