// findCgroup2Root: the cgroup v2 mount, read from a /proc/mounts-format file
// because hybrid hosts mount it at /sys/fs/cgroup/unified, not /sys/fs/cgroup.
#include <fstream>
#include <sstream>
#include <string>

#include "kernel/bpf_redirector.h"

namespace warden::kernel {
namespace {

// /proc/mounts escapes space, tab, newline and backslash as \ooo octal.
std::string unescapeMountField(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string digits = field.substr(i + 1, 3);
      if (digits.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(digits, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

}  // namespace

Result<std::string> findCgroup2Root(const std::string& mountsPath) {
  std::ifstream in(mountsPath);
  if (!in) return errnoError("open " + mountsPath);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, mountPoint, fsType;
    if (!(fields >> device >> mountPoint >> fsType)) continue;
    if (fsType == "cgroup2") return unescapeMountField(mountPoint);
  }
  return Error{"no cgroup2 filesystem in " + mountsPath +
               ": warden needs cgroup v2; mount it (mount -t cgroup2 none /sys/fs/cgroup) "
               "or set `cgroup:` in warden.yaml to a cgroup v2 directory"};
}

}  // namespace warden::kernel
