#include "control/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <filesystem>

#include "core/log.h"
#include "core/unique_fd.h"

namespace warden::control {
namespace {

Status makeParentDirs(const std::string& path) {
  std::filesystem::path dir;
  for (const auto& part : std::filesystem::path(path).parent_path()) {
    dir /= part;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errnoError("create directory " + dir.string());
  }
  return {};
}

// 0 when something accepts on `path`, else the errno of the failed connect.
int probe(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return 0;
  return errno;
}

}  // namespace

Status prepareSocketPath(const std::string& path) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Error{"control socket path '" + path + "' must be 1-" + std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                 " characters long"};
  }
  if (auto made = makeParentDirs(path); !made) return made;
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return errnoError("inspect " + path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Error{path + " exists and is not a socket; remove it or set another paths.runtime_dir"};
  }
  int err = probe(path);
  if (err == 0) return Error{"another wardend is running (it accepts on " + path + "); stop it first"};
  if (err != ECONNREFUSED) return errnoError("check whether " + path + " is in use", err);
  logger("control")->info("removing stale control socket {} (left by an agent that did not stop cleanly)", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errnoError("remove stale socket " + path);
  return {};
}

Result<FileId> fileIdOf(const std::string& path) {
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return errnoError("inspect " + path);
  return FileId{st.st_dev, st.st_ino};
}

}  // namespace warden::control
