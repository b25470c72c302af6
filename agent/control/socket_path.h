// Getting a unix socket path ready to bind: its directory exists, and a socket
// left by a crashed agent is removed, but a live agent's socket never is.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/result.h"

namespace warden::control {

// Creates missing parent directories (mode 0755), then removes a stale socket
// at `path`. Fails if another process accepts connections on it, or if `path`
// is something other than a socket.
Status prepareSocketPath(const std::string& path);

// Identifies the file we bound, so we unlink only our own socket, not one a
// newer agent created at the same path.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};
Result<FileId> fileIdOf(const std::string& path);

}  // namespace warden::control
