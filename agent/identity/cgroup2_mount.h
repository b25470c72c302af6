// Where cgroup v2 is mounted, from /proc/mounts: /sys/fs/cgroup on unified
// hosts, /sys/fs/cgroup/unified on hybrid ones, elsewhere in containers.
#pragma once

#include <string>

#include "core/result.h"

namespace warden::identity {

Result<std::string> findCgroup2Mount(const std::string& mountsPath = "/proc/mounts");

}  // namespace warden::identity
