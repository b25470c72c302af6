#include "layers/audit/sinks/spool_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace warden::audit {
namespace {

// Enough of a line's tail to hold its chain member: "chain":{"prev":"<64 hex>","seq":N}}
constexpr size_t kChainTailBytes = 160;
constexpr int kOpenAttempts = 8;
constexpr size_t kCountChunk = size_t{64} << 10;

std::shared_ptr<spdlog::logger> auditLog() { return logger("audit"); }

bool isJsonObject(std::string_view line) {
  return line.size() >= 2 && line.front() == '{' && line.back() == '}' && nlohmann::json::accept(line);
}

// pread() until `length` bytes or the end of the file; the bytes read, or -1.
ssize_t preadFull(int fd, char* out, size_t length, uint64_t offset) {
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

std::optional<uint64_t> fileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

std::optional<uint64_t> chainSeqOf(std::string_view line) {
  constexpr std::string_view kSeq = "\"seq\":";
  // The chain is the object's last member, so its seq is the last "seq" key
  // (a quote inside a string value is escaped and cannot end one).
  const size_t seqAt = line.rfind(kSeq);
  const size_t chainAt = line.rfind("\"chain\":{");
  if (seqAt == std::string_view::npos || chainAt == std::string_view::npos || chainAt > seqAt) return std::nullopt;
  const char* begin = line.data() + seqAt + kSeq.size();
  const char* end = line.data() + line.size();
  uint64_t seq = 0;
  auto [after, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || std::string_view(after, static_cast<size_t>(end - after)) != "}}") return std::nullopt;
  return seq;
}

SpoolReader::SpoolReader(std::string spoolDir, SpoolPosition start, std::string owner,
                         std::shared_ptr<const SpoolCommitted> committed)
    : spoolDir_(std::move(spoolDir)), owner_(std::move(owner)), committed_(std::move(committed)), position_(start) {
  if (position_.segment == 0) position_.offset = 0;
}

std::string SpoolReader::where() const {
  std::string text = segmentPath(spoolDir_, position_.segment);
  if (!owner_.empty()) text += " (sink " + owner_ + ")";
  return text;
}

Result<SpoolBatch> SpoolReader::read(size_t maxLines, size_t maxBytes) {
  SpoolBatch batch;
  maxLines = std::max<size_t>(maxLines, 1);
  maxBytes = std::max<size_t>(maxBytes, 1);
  for (;;) {
    if (!fd_.valid()) {
      auto opened = openSegment();
      if (!opened) return opened.error();
      if (!*opened) break;
    }
    const SpoolPosition at = position_;
    if (auto done = readLines(maxLines, maxBytes, batch.lines); !done) return done.error();
    if (!batch.lines.empty() || position_ != at) break;

    // Nothing complete here. Only a later segment means this one is final,
    // and with a writer in this process, only once it has moved on to it.
    if (committed_) {
      const std::optional<SpoolPosition> end = committed_->get();
      if (end && end->segment <= position_.segment) break;
    }
    const std::vector<uint64_t> segments = listSegments(spoolDir_);
    const auto later = std::upper_bound(segments.begin(), segments.end(), position_.segment);
    if (later == segments.end()) break;
    // The writer had finished this segment before it started the later one:
    // lines completed since the read above are still to be delivered.
    if (auto done = readLines(maxLines, maxBytes, batch.lines); !done) return done.error();
    if (!batch.lines.empty() || position_ != at) break;
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return errnoError("stat " + where());
    const uint64_t size = readableSize(static_cast<uint64_t>(st.st_size));
    moveTo(*later, size > position_.offset ? size - position_.offset : 0);
  }
  batch.position = position_;
  return batch;
}

Result<bool> SpoolReader::openSegment() {
  for (int attempt = 0; attempt < kOpenAttempts; ++attempt) {
    const std::vector<uint64_t> segments = listSegments(spoolDir_);
    if (segments.empty()) return false;
    if (position_.segment == 0) {
      position_ = {segments.front(), 0};
    } else if (!std::binary_search(segments.begin(), segments.end(), position_.segment)) {
      const auto later = std::upper_bound(segments.begin(), segments.end(), position_.segment);
      if (later == segments.end()) {
        auditLog()->warn(
            "audit spool {}: the cursor{} is at segment {} but the newest segment is {}; the spool was reset, so "
            "reading starts again at its oldest segment (lines may be delivered twice)",
            spoolDir_, owner_.empty() ? "" : " of sink " + owner_, position_.segment, segments.back());
        position_ = {segments.front(), 0};
        lastSeq_.reset();
      } else {
        const uint64_t skipped = *later - position_.segment;
        counters_.skippedSegments += skipped;
        auditLog()->warn(
            "audit spool {}: {} segment(s) from {} on were deleted before{} delivered them (the spool was over "
            "its size bound); continuing with segment {}",
            spoolDir_, skipped, position_.segment, owner_.empty() ? " the sink" : " sink " + owner_, *later);
        gapPending_ = true;
        gapAfterSeq_ = lastSeq_;
        position_ = {*later, 0};
      }
    }
    const std::string path = segmentPath(spoolDir_, position_.segment);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT) continue;  // deleted since the listing
      return errnoError("open audit spool segment " + path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errnoError("stat audit spool segment " + path);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (position_.offset > 0) {
      // A saved cursor points at the start of a line; anything else means
      // the file is not the one the cursor was saved for. Reading it from
      // the start delivers some lines twice, which de-duplication absorbs;
      // guessing a line start could lose one.
      char tail[kChainTailBytes];
      const size_t want = static_cast<size_t>(std::min<uint64_t>(position_.offset, sizeof tail));
      const ssize_t got = position_.offset <= size ? preadFull(fd.get(), tail, want, position_.offset - want) : -1;
      if (got != static_cast<ssize_t>(want) || tail[want - 1] != '\n') {
        auditLog()->warn(
            "{}: the cursor's offset {} is not the start of a line (the segment holds {} bytes); "
            "reading the segment from its start again (lines may be delivered twice)",
            where(), position_.offset, size);
        position_.offset = 0;
      } else {
        std::string_view before(tail, want - 1);
        if (const size_t newline = before.rfind('\n'); newline != std::string_view::npos) {
          before.remove_prefix(newline + 1);
        }
        lastSeq_ = chainSeqOf(before);
      }
    }
    fd_ = std::move(fd);
    return true;
  }
  return Error{"open a segment of the audit spool " + spoolDir_ + ": segments disappeared " +
               std::to_string(kOpenAttempts) + " times while opening; will retry"};
}

uint64_t SpoolReader::readableSize(uint64_t sizeOnDisk) const {
  return committed_ ? committed_->readableSize(position_.segment, sizeOnDisk) : sizeOnDisk;
}

Status SpoolReader::readLines(size_t maxLines, size_t maxBytes, std::vector<std::string_view>& lines) {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return errnoError("stat " + where());
  const uint64_t size = readableSize(static_cast<uint64_t>(st.st_size));
  if (size <= position_.offset) return {};
  const uint64_t available = size - position_.offset;
  size_t want = static_cast<size_t>(std::min<uint64_t>(available, maxBytes));
  size_t filled = 0;
  for (;;) {
    if (buffer_.size() < want) buffer_.resize(want);
    const ssize_t got = preadFull(fd_.get(), buffer_.data() + filled, want - filled, position_.offset + filled);
    if (got < 0) return errnoError("read " + where());
    filled += static_cast<size_t>(got);
    if (filled < want || filled == available) break;
    if (std::memchr(buffer_.data(), '\n', filled) != nullptr) break;
    // One line longer than maxBytes: it is still delivered whole.
    want = static_cast<size_t>(std::min<uint64_t>(available, static_cast<uint64_t>(want) * 2));
  }

  size_t start = 0;
  while (lines.size() < maxLines && start < filled) {
    const void* found = std::memchr(buffer_.data() + start, '\n', filled - start);
    if (found == nullptr) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(found) - buffer_.data());
    const std::string_view line(buffer_.data() + start, end - start);
    const uint64_t lineOffset = position_.offset + start;
    start = end + 1;
    if (line.empty()) continue;
    if (!isJsonObject(line)) {
      ++counters_.malformedLines;
      // The line's content may be a prompt: its place, not its text.
      auditLog()->warn(
          "{}: skipped a line of {} bytes at offset {} that is not a JSON object (a write cut by a "
          "crash or an I/O error)",
          where(), line.size(), lineOffset);
      continue;
    }
    noteLineSeq(line);
    lines.push_back(line);
  }
  position_.offset += start;
  return {};
}

void SpoolReader::moveTo(uint64_t next, uint64_t unfinished) {
  if (unfinished > 0) {
    ++counters_.halfLines;
    auditLog()->warn(
        "{}: skipped an unfinished line of {} bytes at the end of the segment (the writer moved on "
        "to segment {}; a crash or a failed write cut it)",
        where(), unfinished, next);
  }
  if (next > position_.segment + 1) {
    const uint64_t skipped = next - position_.segment - 1;
    counters_.skippedSegments += skipped;
    auditLog()->warn(
        "audit spool {}: {} segment(s) after {} were deleted before{} read them (the spool was over "
        "its size bound); continuing with segment {}",
        spoolDir_, skipped, position_.segment, owner_.empty() ? " the sink" : " sink " + owner_, next);
    gapPending_ = true;
    gapAfterSeq_ = lastSeq_;
  }
  fd_.reset();
  position_ = {next, 0};
}

void SpoolReader::noteLineSeq(std::string_view line) {
  const std::optional<uint64_t> seq = chainSeqOf(line);
  if (gapPending_) {
    gapPending_ = false;
    if (seq && gapAfterSeq_ && *seq > *gapAfterSeq_ + 1) {
      const uint64_t lost = *seq - *gapAfterSeq_ - 1;
      counters_.lostLines += lost;
      auditLog()->warn("audit spool {}: {} line(s) lost with the deleted segments (chain seq {} to {}){}", spoolDir_,
                       lost, *gapAfterSeq_ + 1, *seq - 1, owner_.empty() ? "" : " for sink " + owner_);
    } else if (!gapAfterSeq_) {
      auditLog()->warn(
          "audit spool {}: how many lines the deleted segments held is unknown (no line was read "
          "before them){}",
          spoolDir_, owner_.empty() ? "" : " for sink " + owner_);
    }
  }
  lastSeq_ = seq;
}

uint64_t spoolBytesAfter(const std::string& spoolDir, SpoolPosition position) {
  uint64_t total = 0;
  for (uint64_t segment : listSegments(spoolDir)) {
    if (segment < position.segment) continue;
    const std::optional<uint64_t> size = fileSize(segmentPath(spoolDir, segment));
    if (!size) continue;
    const uint64_t from = segment == position.segment ? std::min(position.offset, *size) : 0;
    total += *size - from;
  }
  return total;
}

uint64_t spoolLinesAfter(const std::string& spoolDir, SpoolPosition position) {
  uint64_t lines = 0;
  std::vector<char> chunk(kCountChunk);
  for (uint64_t segment : listSegments(spoolDir)) {
    if (segment < position.segment) continue;
    UniqueFd fd(::open(segmentPath(spoolDir, segment).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) continue;
    uint64_t offset = segment == position.segment ? position.offset : 0;
    for (;;) {
      const ssize_t got = preadFull(fd.get(), chunk.data(), chunk.size(), offset);
      if (got <= 0) break;
      lines += static_cast<uint64_t>(std::count(chunk.data(), chunk.data() + got, '\n'));
      offset += static_cast<uint64_t>(got);
    }
  }
  return lines;
}

}  // namespace warden::audit
