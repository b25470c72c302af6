// Appends the audit trail to a local file, one JSON line each, for a log
// shipper (Fluent Bit, Vector, a journald import) to pick up.
//
// Lines are appended with O_APPEND and synced (fdatasync) before deliver()
// reports success. The file is reopened when it was rotated away (renamed
// or deleted: its inode is no longer the one at the path), so logrotate
// needs no copytruncate and no signal. A write cut by an error leaves half a
// line; the retry starts on a new line, so the shipper sees one broken line
// and then the whole batch again.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "core/result.h"
#include "core/unique_fd.h"
#include "layers/audit/sinks/sink.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::audit {

class FileSink final : public Sink {
 public:
  // Creates missing parent directories (0750) and the file (0640).
  static Result<std::unique_ptr<FileSink>> open(const SinkConfig& config);

  Status deliver(std::span<const std::string_view> lines) override;
  void reset() override;
  std::string describe() const override { return "file " + path_; }

 private:
  explicit FileSink(std::string path) : path_(std::move(path)) {}
  // (Re)opens the path when no file is open or the open one was rotated away.
  Status ensureOpen();

  std::string path_;
  UniqueFd fd_;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  bool midLine_ = false;  // the file ends in half a line
  std::string out_;       // one batch's bytes, its space reused
};

}  // namespace warden::audit
