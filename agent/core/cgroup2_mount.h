// Where cgroup v2 is mounted, read from /proc/mounts because it differs by
// host: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid
// ones, elsewhere in containers. The BPF programs attach under it and
// workload identity resolves cgroup ids below it.
#pragma once

#include <string>

#include "core/result.h"

namespace warden {

Result<std::string> findCgroup2Mount(const std::string& mountsPath = "/proc/mounts");

}  // namespace warden
