#include "layers/audit/sinks/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/log.h"

namespace warden::audit {
namespace {

// The trail names processes and where prompts went: not world-readable.
Status makeParentDirs(const std::string& path) {
  std::filesystem::path dir;
  for (const auto& part : std::filesystem::path(path).parent_path()) {
    dir /= part;
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errnoError("create directory " + dir.string());
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::open(const SinkConfig& config) {
  if (config.path.empty()) {
    return Error{"audit sink " + config.name + ": a file sink needs a path (audit.sinks[].path)"};
  }
  std::unique_ptr<FileSink> sink(new FileSink(config.path));
  // Opened now so a wrong path or permission shows at startup.
  if (Status opened = sink->ensureOpen(); !opened) return opened.error().wrap("audit sink " + config.name);
  return sink;
}

Status FileSink::ensureOpen() {
  if (fd_.valid()) {
    struct stat atPath {};
    if (::stat(path_.c_str(), &atPath) == 0 && atPath.st_dev == device_ && atPath.st_ino == inode_) return {};
    logger("audit")->info("audit file sink: {} was rotated away; continuing in a new file at that path", path_);
    fd_.reset();
  }
  if (Status made = makeParentDirs(path_); !made) return made;
  // Read-write only to look at the last byte: a failed write may have left half a line.
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (!fd.valid()) return errnoError("open " + path_ + " for appending");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoError("stat " + path_);
  char last = '\n';
  if (st.st_size > 0 && ::pread(fd.get(), &last, 1, st.st_size - 1) != 1) last = '\n';
  midLine_ = last != '\n';
  device_ = st.st_dev;
  inode_ = st.st_ino;
  fd_ = std::move(fd);
  return {};
}

Status FileSink::deliver(std::span<const std::string_view> lines) {
  if (Status opened = ensureOpen(); !opened) return opened;
  out_.clear();
  if (midLine_) out_ += '\n';
  for (std::string_view line : lines) {
    out_ += line;
    out_ += '\n';
  }
  size_t done = 0;
  while (done < out_.size()) {
    const ssize_t n = ::write(fd_.get(), out_.data() + done, out_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      if (done > 0) midLine_ = out_[done - 1] != '\n';
      return errnoError("append to " + path_, err);
    }
    done += static_cast<size_t>(n);
  }
  midLine_ = false;
  if (::fdatasync(fd_.get()) != 0) return errnoError("sync " + path_);
  return {};
}

void FileSink::reset() { fd_.reset(); }

}  // namespace warden::audit
