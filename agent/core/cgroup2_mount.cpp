#include "core/cgroup2_mount.h"

#include <fstream>
#include <sstream>

namespace warden {
namespace {

// /proc/mounts writes space, tab, newline and backslash as \ooo.
std::string unescapeOctal(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    const bool octal = field[i] == '\\' && i + 3 < field.size() && field.find_first_not_of("01234567", i + 1) >= i + 4;
    if (octal) {
      out.push_back(
          static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

}  // namespace

Result<std::string> findCgroup2Mount(const std::string& mountsPath) {
  std::ifstream in(mountsPath);
  if (!in) return errnoError("open " + mountsPath);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, mountPoint, fsType;
    if (!(fields >> device >> mountPoint >> fsType)) continue;
    if (fsType == "cgroup2") return unescapeOctal(mountPoint);
  }
  return Error{"no cgroup2 filesystem in " + mountsPath +
               ": warden needs cgroup v2; mount it (mount -t cgroup2 none /sys/fs/cgroup) "
               "or set `cgroup:` in warden.yaml to a cgroup v2 directory"};
}

}  // namespace warden
