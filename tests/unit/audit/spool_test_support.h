// Spools for tests: a temporary directory and the options to open it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "layers/audit/event_log.h"
#include "layers/audit/spool_layout.h"

namespace warden::audit::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/warden-audit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline SpoolOptions spoolIn(const std::string& dir, size_t maxQueued = 65536) {
  SpoolOptions options;
  options.dir = dir;
  options.maxQueued = maxQueued;
  return options;
}

// Every line of every segment, in order.
inline std::vector<std::string> spoolLines(const std::string& dir) {
  std::vector<std::string> lines;
  for (uint64_t segment : listSegments(dir)) {
    std::ifstream in(segmentPath(dir, segment));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

}  // namespace warden::audit::testing
