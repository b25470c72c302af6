#include "layers/audit/spool_layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

constexpr std::string_view kPrefix = "events-";
constexpr std::string_view kSuffix = ".jsonl";
constexpr size_t kDigits = 12;

bool parseNumber(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string segmentFileName(uint64_t segment) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*llu", static_cast<int>(kDigits), static_cast<unsigned long long>(segment));
  return std::string(kPrefix) + digits + std::string(kSuffix);
}

std::optional<uint64_t> parseSegmentFileName(std::string_view name) {
  if (name.size() != kPrefix.size() + kDigits + kSuffix.size()) return std::nullopt;
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view digits = name.substr(kPrefix.size(), kDigits);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  uint64_t value = 0;
  if (!parseNumber(digits, value) || value == 0) return std::nullopt;
  return value;
}

std::string segmentPath(const std::string& spoolDir, uint64_t segment) {
  return spoolDir + "/" + segmentFileName(segment);
}

std::vector<uint64_t> listSegments(const std::string& spoolDir) {
  std::vector<uint64_t> out;
  DIR* dir = ::opendir(spoolDir.c_str());
  if (dir == nullptr) return out;
  while (const dirent* entry = ::readdir(dir)) {
    if (auto n = parseSegmentFileName(entry->d_name)) out.push_back(*n);
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

std::string cursorDir(const std::string& spoolDir) { return spoolDir + "/cursors"; }

std::string cursorPath(const std::string& spoolDir, const std::string& sinkName) {
  return cursorDir(spoolDir) + "/" + sinkName;
}

std::optional<SpoolPosition> loadCursor(const std::string& spoolDir, const std::string& sinkName) {
  std::ifstream in(cursorPath(spoolDir, sinkName));
  std::string segment, offset;
  if (!(in >> segment >> offset)) return std::nullopt;
  SpoolPosition position;
  if (!parseNumber(segment, position.segment) || !parseNumber(offset, position.offset)) return std::nullopt;
  return position;
}

Status saveCursor(const std::string& spoolDir, const std::string& sinkName, SpoolPosition position) {
  const std::string dir = cursorDir(spoolDir);
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errnoError("create " + dir);
  const std::string path = cursorPath(spoolDir, sinkName);
  const std::string temporary = path + ".new";
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!fd.valid()) return errnoError("write cursor " + temporary);
  const std::string text = std::to_string(position.segment) + " " + std::to_string(position.offset) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return errnoError("write cursor " + temporary);
  }
  if (::fdatasync(fd.get()) != 0) return errnoError("sync cursor " + temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return errnoError("replace cursor " + path);
  return {};
}

void SpoolCursors::set(const std::string& sinkName, SpoolPosition position) {
  std::lock_guard lock(mutex_);
  positions_[sinkName] = position;
}

void SpoolCursors::remove(const std::string& sinkName) {
  std::lock_guard lock(mutex_);
  positions_.erase(sinkName);
}

std::optional<SpoolPosition> SpoolCursors::slowest() const {
  std::lock_guard lock(mutex_);
  std::optional<SpoolPosition> out;
  for (const auto& [name, position] : positions_) {
    if (!out || position < *out) out = position;
  }
  return out;
}

std::map<std::string, SpoolPosition> SpoolCursors::all() const {
  std::lock_guard lock(mutex_);
  return positions_;
}

void SpoolCommitted::publish(SpoolPosition end) {
  std::lock_guard lock(mutex_);
  end_ = end;
}

std::optional<SpoolPosition> SpoolCommitted::get() const {
  std::lock_guard lock(mutex_);
  return end_;
}

uint64_t SpoolCommitted::readableSize(uint64_t segment, uint64_t sizeOnDisk) const {
  const std::optional<SpoolPosition> end = get();
  if (!end || segment < end->segment) return sizeOnDisk;  // no writer, or a segment it has left
  if (segment > end->segment) return 0;                    // created, not yet begun
  return std::min(sizeOnDisk, end->offset);
}

}  // namespace warden::audit
