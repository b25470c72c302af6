// Reads the audit spool (spool_layout.h) line by line from a position, for
// one sink's delivery thread.
//
// Only complete lines that are JSON objects are returned: an unfinished line
// at the end of the newest segment is a write in progress (or a crash) and
// is waited for, the same at the end of an older segment can never be
// finished and is skipped, and a complete line that is not JSON (half a line
// that a restarted writer ended with a newline) is skipped too, since a log
// API would refuse it and hold the sink up forever. Skips are logged and
// counted.
//
// The segment being read stays open, so a poll with nothing new costs one
// fstat, and a segment the writer deletes under the reader's feet is still
// read to its end. A segment deleted before the reader got to it is skipped:
// the reader moves to the next one that exists and counts what it lost
// (the lines, from the gap in the hash chain's seq, when it knows the seq of
// the last line it passed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"
#include "layers/audit/spool_layout.h"

namespace warden::audit {

struct SpoolBatch {
  std::vector<std::string_view> lines;  // without newlines; valid until the next read()
  SpoolPosition position;               // after the last of them: where the next read starts
};

struct SpoolReaderCounters {
  uint64_t skippedSegments = 0;  // deleted before they were read (or finished)
  uint64_t lostLines = 0;        // in those, as far as the hash chain tells
  uint64_t malformedLines = 0;   // complete lines that are not JSON objects
  uint64_t halfLines = 0;        // unfinished lines at the end of a finished segment

  friend bool operator==(const SpoolReaderCounters&, const SpoolReaderCounters&) = default;
};

class SpoolReader {
 public:
  // `start` is the position of the first line to read; {0,0} is the start of
  // the oldest segment. `owner` names the reader in logs (the sink's name).
  // With `committed` (the writer's, in this process), nothing past the end
  // it publishes is read.
  SpoolReader(std::string spoolDir, SpoolPosition start, std::string owner = "",
              std::shared_ptr<const SpoolCommitted> committed = nullptr);

  // The next complete lines, at most `maxLines` of them and about `maxBytes`
  // (a single longer line is still returned whole). No lines and an
  // unchanged position: nothing new. No lines and a moved position: the
  // reader moved on (to a later segment, past skipped lines) and the new
  // position is worth saving. An error (a segment that cannot be opened or
  // read) skips nothing; call again to retry.
  Result<SpoolBatch> read(size_t maxLines, size_t maxBytes);

  SpoolPosition position() const { return position_; }
  const SpoolReaderCounters& counters() const { return counters_; }

 private:
  // Opens the segment of position_, moving it to the segment to read when
  // that one is gone; false when the spool has no segment yet.
  Result<bool> openSegment();
  // Reads the complete lines after position_ in the open segment into
  // `lines` (skipping malformed ones) and moves position_ past them.
  Status readLines(size_t maxLines, size_t maxBytes, std::vector<std::string_view>& lines);
  // Leaves a finished segment, whose last `unfinished` bytes are half a
  // line, for segment `next`, counting what lies between.
  void moveTo(uint64_t next, uint64_t unfinished);
  void noteLineSeq(std::string_view line);
  std::string where() const;
  // The open segment's size as far as it may be read.
  uint64_t readableSize(uint64_t sizeOnDisk) const;

  std::string spoolDir_;
  std::string owner_;
  std::shared_ptr<const SpoolCommitted> committed_;
  SpoolPosition position_;
  UniqueFd fd_;  // the segment of position_, once opened
  std::vector<char> buffer_;
  std::optional<uint64_t> lastSeq_;      // chain seq of the last line passed
  std::optional<uint64_t> gapAfterSeq_;  // set after skipping segments: the seq before the gap
  bool gapPending_ = false;
  SpoolReaderCounters counters_;
};

// Bytes in the spool after `position` (what a sink there still has to read).
uint64_t spoolBytesAfter(const std::string& spoolDir, SpoolPosition position);
// Complete lines in the spool after `position`. Reads the files: for rare
// use (a log line after an outage), not for polling.
uint64_t spoolLinesAfter(const std::string& spoolDir, SpoolPosition position);

// The "seq" of a spooled line's hash chain (its last member); nullopt when
// the line has none.
std::optional<uint64_t> chainSeqOf(std::string_view line);

}  // namespace warden::audit
