// Shared plumbing for the sink tests: a temporary directory, and a spool
// writer that appends real chained event lines to numbered segments.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "layers/audit/hash_chain.h"
#include "layers/audit/spool_layout.h"

namespace warden::audit::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-sink-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void appendBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << bytes;
  ASSERT_TRUE(out.good()) << "append to " << path;
}

// Writes event lines as the event log does: alphabetical keys, the chain
// member last, one seq after another across segments.
class SpoolWriter {
 public:
  explicit SpoolWriter(std::string dir) : dir_(std::move(dir)) {}

  // The line (without newline) for the next seq, not yet written.
  std::string nextLine(const std::string& host = "h1") {
    std::string out = "{\"host\":\"" + host + "\",\"id\":\"id-" + std::to_string(chain_.nextSeq()) +
                      "\",\"schema\":\"warden.event/v1\",\"time\":\"2026-01-02T03:04:05.123456789Z\",\"type\":"
                      "\"request\"}\n";
    chain_.seal(out, 0);
    out.pop_back();
    return out;
  }

  // Appends `count` lines to `segment`; returns them.
  std::vector<std::string> append(uint64_t segment, int count) {
    std::vector<std::string> lines;
    std::string bytes;
    for (int i = 0; i < count; ++i) {
      lines.push_back(nextLine());
      bytes += lines.back() + "\n";
    }
    appendBytes(segmentPath(dir_, segment), bytes);
    return lines;
  }

  uint64_t nextSeq() const { return chain_.nextSeq(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  HashChain chain_;
};

}  // namespace warden::audit::test
