// A private directory for one test, removed with everything in it.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace warden::identity::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-identity-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

  // mkdir -p of relative; returns its inode, i.e. the "cgroup id" of a fake tree.
  uint64_t makeDir(const std::string& relative) const {
    std::filesystem::create_directories(path_ + "/" + relative);
    return inodeOf(relative);
  }
  uint64_t inodeOf(const std::string& relative) const {
    struct stat st {};
    if (::stat((path_ + "/" + relative).c_str(), &st) != 0) return 0;
    return st.st_ino;
  }
  void write(const std::string& relative, const std::string& content) const {
    std::ofstream(path_ + "/" + relative, std::ios::binary | std::ios::trunc) << content;
  }

 private:
  std::string path_;
};

}  // namespace warden::identity::testing
