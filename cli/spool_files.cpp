#include "cli/spool_files.h"

#include <algorithm>

namespace warden::cli {

SpoolFiles::SpoolFiles(std::vector<std::string> paths) : paths_(std::move(paths)) {
  setg(buffer_.data(), buffer_.data(), buffer_.data());
}

bool SpoolFiles::openNext() {
  while (next_ < paths_.size()) {
    file_ = std::ifstream(paths_[next_], std::ios::binary);
    firstLine_.push_back(linesSoFar_ + 1);
    ++next_;
    if (file_) return true;
    if (unreadable_.empty()) unreadable_ = paths_[next_ - 1];
  }
  return false;
}

SpoolFiles::int_type SpoolFiles::underflow() {
  for (;;) {
    if (file_.is_open() && file_) {
      file_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      const auto n = static_cast<size_t>(file_.gcount());
      if (n > 0) {
        linesSoFar_ += static_cast<uint64_t>(std::count(buffer_.data(), buffer_.data() + n, '\n'));
        setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
        return traits_type::to_int_type(buffer_[0]);
      }
    }
    file_.close();
    if (!openNext()) return traits_type::eof();
  }
}

std::pair<std::string, uint64_t> SpoolFiles::locate(uint64_t line) const {
  size_t index = 0;
  for (size_t i = 0; i < firstLine_.size(); ++i) {
    if (firstLine_[i] <= line) index = i;
  }
  if (firstLine_.empty()) return {"", line};
  return {paths_[index], line - firstLine_[index] + 1};
}

}  // namespace warden::cli
