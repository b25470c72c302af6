#include "layers/audit/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/log.h"

#include <nlohmann/json.hpp>

namespace warden::audit {
namespace {

// Bounds the memory one write() needs while the queue is deep.
constexpr size_t kMaxBatch = 512;

std::shared_ptr<spdlog::logger> auditLog() { return logger("audit"); }

// Events name processes and prompts' destinations: not world-readable.
Status makeParentDirs(const std::string& path) {
  std::filesystem::path dir;
  for (const auto& part : std::filesystem::path(path).parent_path()) {
    dir /= part;
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errnoError("create directory " + dir.string());
  }
  return {};
}

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(const std::string& path, size_t maxQueued,
                                                 std::shared_ptr<const CheckpointSigner> signer) {
  if (auto made = makeParentDirs(path); !made) return made.error().wrap("open event log");
  // Read-write: the last byte tells whether a crash left half a line.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return errnoError("open event log " + path);
  // A crash mid-write leaves half a line: the first new line must not be
  // glued to it.
  struct stat st {};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) != 1) last = '\n';
  const HashChain chain = HashChain::after(lastCompleteLine(path));
  return std::unique_ptr<EventLog>(
      new EventLog(path, fd, std::max<size_t>(maxQueued, 1), chain, last != '\n', std::move(signer)));
}

EventLog::EventLog(std::string path, int fd, size_t maxQueued, HashChain chain, bool midLine,
                   std::shared_ptr<const CheckpointSigner> signer)
    : path_(std::move(path)),
      hostName_(hostName()),
      fd_(fd),
      maxQueued_(maxQueued),
      midLine_(midLine),
      chain_(chain),
      signer_(std::move(signer)),
      lastCheckpoint_(std::chrono::steady_clock::now()) {
  thread_ = std::thread([this] { run(); });
}

EventLog::~EventLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  ::close(fd_);
}

bool EventLog::submit(Event event) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= maxQueued_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(event));
  }
  wake_.notify_one();
  return true;
}

size_t EventLog::submitBatch(std::vector<Event>& events) {
  size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    const size_t room = stopping_ || queue_.size() >= maxQueued_ ? 0 : maxQueued_ - queue_.size();
    queued = std::min(room, events.size());
    for (size_t i = 0; i < queued; ++i) queue_.push_back(std::move(events[i]));
  }
  if (queued < events.size()) dropped_.fetch_add(events.size() - queued, std::memory_order_relaxed);
  events.clear();
  if (queued > 0) wake_.notify_one();
  return queued;
}

void EventLog::run() {
  std::vector<Event> taken;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto ready = [this] { return stopping_ || !queue_.empty(); };
    if (writtenSinceSync_ > 0) {
      // Lines are on their way to the disk: sync them within kSyncDelay of
      // the first, whether or not more events come.
      if (!wake_.wait_until(lock, firstUnsynced_ + kSyncDelay, ready)) {
        lock.unlock();
        syncNow();
        lock.lock();
        continue;
      }
    } else {
      wake_.wait(lock, ready);
    }
    if (queue_.empty()) {  // stopping, and everything is written
      lock.unlock();
      writeFinalCheckpoint();
      syncNow();
      return;
    }
    // The two vectors trade places: their space is allocated once, not per event.
    taken.swap(queue_);
    lock.unlock();
    for (size_t start = 0; start < taken.size(); start += kMaxBatch) {
      writeBatch(std::span<Event>(taken).subspan(start, std::min(kMaxBatch, taken.size() - start)));
    }
    taken.clear();
    // A burst's worth of space is not kept for good.
    if (taken.capacity() > 8 * kMaxBatch) std::vector<Event>().swap(taken);
    if (writtenSinceSync_ > 0 && std::chrono::steady_clock::now() >= firstUnsynced_ + kSyncDelay) syncNow();
    lock.lock();
  }
}

void EventLog::writeBatch(std::span<Event> batch) {
  // Ends the half line a failed write left, so only that one line is lost.
  std::string& out = out_;
  out.clear();
  if (midLine_) out += '\n';
  size_t prefix = out.size();
  for (auto& event : batch) {
    if (event.id.empty()) event.id = newEventId();  // here, so workers never pay for it
    const size_t lineStart = out.size();
    appendJsonLine(out, event, hostName_);
    // A line whose write fails later still took its place in the chain:
    // the loss shows as a gap where the chain is checked.
    chain_.seal(out, lineStart);
    ++linesSinceCheckpoint_;
  }
  appendCheckpoint(out, false);
  int err = 0;
  const size_t offset = writeAll(out, err);
  if (offset == out.size()) {
    written_.fetch_add(batch.size(), std::memory_order_relaxed);
    noteWritten(batch.size());
    if (!lastWriteError_.empty()) auditLog()->info("writing events to {} again", path_);
    lastWriteError_.clear();
    return;
  }
  std::string error = errnoError("write event log " + path_, err).message;
  auto complete = offset <= prefix ? uint64_t{0}
                                   : static_cast<uint64_t>(std::count(out.begin() + static_cast<std::ptrdiff_t>(prefix),
                                                                      out.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  complete = std::min<uint64_t>(complete, batch.size());  // a checkpoint line is not an event
  written_.fetch_add(complete, std::memory_order_relaxed);
  noteWritten(complete);
  failed_.fetch_add(batch.size() - complete, std::memory_order_relaxed);
  // Once per new error: a full disk must not also flood the journal.
  if (error != lastWriteError_) {
    auditLog()->error("{}; events are being lost (free space or fix the file, the agent keeps trying)", error);
  }
  lastWriteError_ = error;
}

size_t EventLog::writeAll(const std::string& out, int& err) {
  size_t offset = 0;
  while (offset < out.size()) {
    ssize_t n = ::write(fd_, out.data() + offset, out.size() - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n == 0 ? EIO : errno;
      break;
    }
    offset += static_cast<size_t>(n);
  }
  if (offset > 0) midLine_ = out[offset - 1] != '\n';
  return offset;
}

void EventLog::appendCheckpoint(std::string& out, bool force) {
  if (!signer_ || linesSinceCheckpoint_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && linesSinceCheckpoint_ < kCheckpointLines && now - lastCheckpoint_ < kCheckpointInterval) return;
  const uint64_t seq = chain_.nextSeq() - 1;
  const std::string signature = signer_->sign(checkpointMessage(chain_.head(), seq));
  if (signature.empty()) {
    auditLog()->error("could not sign a checkpoint of the event log (OpenSSL); the next one will try again");
    return;
  }
  const size_t lineStart = out.size();
  out += "{\"checkpoint\":{\"head\":\"" + toHex(chain_.head()) + "\",\"key\":\"" + signer_->keyId() +
         "\",\"seq\":" + std::to_string(seq) + ",\"signature\":\"" + signature + "\"},\"host\":" +
         nlohmann::json(hostName_).dump() + ",\"schema\":\"warden.event/v1\",\"time\":\"";
  appendTimestamp(out, std::chrono::system_clock::now());
  out += "\",\"type\":\"checkpoint\"}\n";
  chain_.seal(out, lineStart);
  linesSinceCheckpoint_ = 0;
  lastCheckpoint_ = now;
}

void EventLog::writeFinalCheckpoint() {
  std::string out;
  if (midLine_) out += '\n';
  appendCheckpoint(out, true);
  if (out.empty() || out == "\n") return;
  int err = 0;
  if (writeAll(out, err) != out.size()) {
    auditLog()->error("{}", errnoError("write the closing checkpoint to " + path_, err).message);
  }
}

void EventLog::noteWritten(uint64_t events) {
  if (events == 0) return;
  if (writtenSinceSync_ == 0) firstUnsynced_ = std::chrono::steady_clock::now();
  writtenSinceSync_ += events;
}

void EventLog::syncNow() {
  if (writtenSinceSync_ == 0) return;
  if (::fdatasync(fd_) != 0) {
    // The lines stay in the page cache; the next sync tries again.
    auditLog()->error("{}", errnoError("sync the event log " + path_, errno).message);
    firstUnsynced_ = std::chrono::steady_clock::now();
    return;
  }
  synced_.fetch_add(writtenSinceSync_, std::memory_order_relaxed);
  writtenSinceSync_ = 0;
}

}  // namespace warden::audit
