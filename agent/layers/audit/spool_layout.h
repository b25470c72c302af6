// How the audit spool is laid out on disk, shared by the writer (event_log)
// and the sinks that read it.
//
// The spool is a directory of segments, events-<12 digits>.jsonl, numbered
// from 1 upwards; the highest is the one being written. Each holds whole
// JSON lines (a crash may leave half a line at the end of the newest, which
// readers skip), chained across segments (hash_chain.h). A segment is
// deleted only when every sink has read past it, or when the spool is over
// its size bound and the configured policy gives up the oldest.
//
// Each sink keeps its cursor, the position of the first line it has not yet
// delivered, in <spool>/cursors/<sink name>: "<segment> <offset>\n".
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::audit {

struct SpoolPosition {
  uint64_t segment = 0;  // 0: before the first segment
  uint64_t offset = 0;   // bytes into the segment

  friend auto operator<=>(const SpoolPosition&, const SpoolPosition&) = default;
};

// "events-000000000007.jsonl"
std::string segmentFileName(uint64_t segment);
// The number of a segment file name; nullopt for any other name.
std::optional<uint64_t> parseSegmentFileName(std::string_view name);
std::string segmentPath(const std::string& spoolDir, uint64_t segment);
// Segment numbers present in `spoolDir`, ascending; empty when it has none
// or does not exist.
std::vector<uint64_t> listSegments(const std::string& spoolDir);

std::string cursorDir(const std::string& spoolDir);
std::string cursorPath(const std::string& spoolDir, const std::string& sinkName);
// A sink's saved cursor; nullopt when it has none yet (it starts at the
// oldest segment) or the file does not read as one.
std::optional<SpoolPosition> loadCursor(const std::string& spoolDir, const std::string& sinkName);
// Replaces the cursor file atomically (write, fsync, rename).
Status saveCursor(const std::string& spoolDir, const std::string& sinkName, SpoolPosition position);

// Where every sink stands, so the writer knows which segments are still
// needed. Thread-safe.
class SpoolCursors {
 public:
  void set(const std::string& sinkName, SpoolPosition position);
  void remove(const std::string& sinkName);
  // The position of the sink furthest behind; nullopt with no sinks.
  std::optional<SpoolPosition> slowest() const;
  std::map<std::string, SpoolPosition> all() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, SpoolPosition> positions_;
};

// The end of what the writer has made final: readers in its process read no
// further. Bytes past it may be taken back: under the drop policy, a batch
// the disk took only part of is truncated away, and a reader that had
// delivered its first lines would deliver events the spool says were lost,
// then read on from the middle of the lines written in their place.
// Unpublished (no writer yet): segments are read to their end. Thread-safe.
class SpoolCommitted {
 public:
  void publish(SpoolPosition end);
  std::optional<SpoolPosition> get() const;
  // How far a reader of `segment` may read, given its size on disk.
  uint64_t readableSize(uint64_t segment, uint64_t sizeOnDisk) const;

 private:
  mutable std::mutex mutex_;
  std::optional<SpoolPosition> end_;
};

}  // namespace warden::audit
