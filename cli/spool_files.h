// The audit spool's segments read as one stream, as the chain runs through
// them, with a way back from a line number to the segment and line in it.
#pragma once

#include <fstream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

namespace warden::cli {

class SpoolFiles : public std::streambuf {
 public:
  // `paths` in chain order (segment number order).
  explicit SpoolFiles(std::vector<std::string> paths);

  // The file and the 1-based line in it of the stream's 1-based `line`.
  std::pair<std::string, uint64_t> locate(uint64_t line) const;
  const std::vector<std::string>& paths() const { return paths_; }
  // The first file that could not be opened, "" if none.
  const std::string& unreadable() const { return unreadable_; }

 protected:
  int_type underflow() override;

 private:
  bool openNext();

  std::vector<std::string> paths_;
  std::vector<uint64_t> firstLine_;  // the stream line each file starts at
  size_t next_ = 0;
  std::ifstream file_;
  uint64_t linesSoFar_ = 0;
  std::string unreadable_;
  std::vector<char> buffer_ = std::vector<char>(64 * 1024);
};

}  // namespace warden::cli
