// The pin directory: <pinDir>/maps/<map> and <pinDir>/links/<program>.
//
// Pins keep the programs attached and the maps alive after the agent dies, so
// fail-closed keeps refusing instead of silently going direct. The directory
// must live on bpffs; when its parent is the conventional /sys/fs/bpf and
// nothing is mounted there, bpffs is mounted (as systemd would). Any other
// location must already be a bpffs mount: mounting over arbitrary directories
// is the operator's decision.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"

namespace warden::kernel {

class PinDir {
 public:
  explicit PinDir(std::string path);

  // Makes the directory usable: bpffs checked (or mounted at /sys/fs/bpf),
  // then, if another agent's heartbeat is younger than `liveWindow`, waits up
  // to liveWindow + 500 ms for it to go stale (a crashed agent's does) and
  // refuses if it stays fresh (a live agent). Then removes a dead agent's pins
  // (links first, so its programs detach before its maps go) and creates the
  // maps/ and links/ subdirectories.
  Status prepare(std::chrono::nanoseconds liveWindow);

  std::string mapPath(const std::string& mapName) const;
  std::string linkPath(const std::string& programName) const;

  // Removes the (by now empty) subdirectories and the directory itself.
  void removeDirectories() const;

  const std::string& path() const { return path_; }

 private:
  Status ensureOnBpffs() const;
  Status refuseIfAgentAlive(std::chrono::nanoseconds liveWindow) const;
  std::optional<std::chrono::nanoseconds> otherAgentHeartbeatAge() const;
  void removeStalePins() const;

  std::string path_;
};

}  // namespace warden::kernel
