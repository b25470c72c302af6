// Small facts about a live process read from /proc/<tgid>: its start time
// (tells a reused pid from the process cached under it), real uid/gid, comm
// and cgroup v2 path. procRoot is "/proc" outside tests.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace warden::identity {

// Clock ticks since boot at which the process started (stat field 22).
Result<uint64_t> readStartTime(const std::string& procRoot, uint32_t tgid);

// Whether the process now under tgid started after a connect() made at
// connectMonotonicNs (CLOCK_MONOTONIC): then the pid was reused and the
// process is not the one that connected. Never true for the process that
// did connect: the start time is truncated to a clock tick, and the boot
// clock's lead over the monotonic one (time suspended) is taken as of now,
// which can only place the connect later.
Result<bool> startedAfter(const std::string& procRoot, uint32_t tgid, uint64_t connectMonotonicNs);

struct ProcessCredentials {
  uint32_t uid = 0;  // real ids, as bpf_get_current_uid_gid reports them
  uint32_t gid = 0;
};
Result<ProcessCredentials> readCredentials(const std::string& procRoot, uint32_t tgid);

Result<std::string> readComm(const std::string& procRoot, uint32_t tgid);

// The "0::/path" line of /proc/<tgid>/cgroup, without the leading '/'.
Result<std::string> readCgroupV2Path(const std::string& procRoot, uint32_t tgid);

}  // namespace warden::identity
