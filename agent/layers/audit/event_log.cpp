#include "layers/audit/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/unique_fd.h"

namespace warden::audit {
namespace {

// Bounds the memory one write() needs while the queue is deep.
constexpr size_t kMaxBatch = 512;
// What a thread keeps of its rendering buffer between batches.
constexpr size_t kKeptRenderBytes = 256 * 1024;

std::shared_ptr<spdlog::logger> auditLog() { return logger("audit"); }

// Events name processes and prompts' destinations: not world-readable.
Status makeDirs(const std::string& path) {
  std::filesystem::path dir;
  for (const auto& part : std::filesystem::path(path)) {
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

uint64_t fileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A new segment's name must survive a crash along with its lines.
Status syncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return errnoError("sync the spool directory " + dir);
  return {};
}

uint64_t countLines(std::string_view text) { return static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::open(SpoolOptions options, std::shared_ptr<const CheckpointSigner> signer,
                                                 std::shared_ptr<const SpoolCursors> cursors,
                                                 std::shared_ptr<SpoolCommitted> committed) {
  if (auto made = makeDirs(options.dir); !made) return made.error().wrap("open the audit spool");
  options.maxQueued = std::max<size_t>(options.maxQueued, 1);
  const std::vector<uint64_t> segments = listSegments(options.dir);
  std::unique_ptr<EventLog> log(new EventLog(std::move(options), std::move(signer), std::move(cursors)));
  log->committed_ = std::move(committed);
  const std::string& dir = log->options_.dir;
  const uint64_t number = segments.empty() ? 1 : segments.back();
  if (auto opened = log->openSegment(number, !segments.empty()); !opened) {
    return opened.error().wrap("open the audit spool");
  }
  if (!segments.empty()) {
    // The chain goes on from the last line written, which may be in the
    // segment before when the newest is still empty.
    std::string last = lastCompleteLine(segmentPath(dir, number));
    if (last.empty() && segments.size() > 1) last = lastCompleteLine(segmentPath(dir, segments[segments.size() - 2]));
    log->chain_ = HashChain::after(last);
  }
  const SpoolUsage usage = log->deleteOldSegments();
  {
    std::lock_guard lock(log->writeMutex_);
    log->noteUsage(usage);
  }
  log->thread_ = std::thread([raw = log.get()] { raw->run(); });
  return log;
}

EventLog::EventLog(SpoolOptions options, std::shared_ptr<const CheckpointSigner> signer,
                   std::shared_ptr<const SpoolCursors> cursors)
    : options_(std::move(options)),
      hostName_(hostName()),
      signer_(std::move(signer)),
      cursors_(std::move(cursors)),
      lastCheckpoint_(std::chrono::steady_clock::now()) {}

EventLog::~EventLog() {
  stop();
  if (fd_ >= 0) ::close(fd_);
}

void EventLog::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void EventLog::onAppended(std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  onAppended_ = std::move(callback);
}

Status EventLog::openSegment(uint64_t number, bool continuing, bool syncDir) {
  const std::string path = segmentPath(options_.dir, number);
  // Read-write: the last byte tells whether a crash left half a line.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return errnoError("open spool segment " + path);
  struct stat st {};
  ::fstat(fd, &st);
  char last = '\n';
  if (continuing && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) != 1) last = '\n';
  if (!continuing && syncDir) {
    if (auto synced = syncDirectory(options_.dir); !synced) auditLog()->error("{}", synced.error().message);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  midLine_ = last != '\n';
  segmentSize_ = static_cast<uint64_t>(st.st_size);
  segmentOpened_ = std::chrono::steady_clock::now();
  segment_.store(number);
  publishCommitted();
  return {};
}

bool EventLog::submit(Event event) {
  std::vector<Event> one;
  one.push_back(std::move(event));
  return submitBatch(one) == 1;
}

size_t EventLog::submitBatch(std::vector<Event>& events) {
  size_t queued = 0;
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
    const size_t room = stopping_ || queue_.size() >= options_.maxQueued ? 0 : options_.maxQueued - queue_.size();
    queued = std::min(room, events.size());
    for (size_t i = 0; i < queued; ++i) queue_.push_back(std::move(events[i]));
  }
  if (queued < events.size()) {
    dropped_.fetch_add(events.size() - queued, std::memory_order_relaxed);
    if (stopping) {
      auditLog()->error("{} audit events came after the event log of {} was stopped; they are lost",
                        events.size() - queued, options_.dir);
    } else {
      // For the chain's next loss notice, like every other loss; not under
      // writeMutex_, which a write() stuck on the disk may hold for long.
      queueLost_.fetch_add(events.size() - queued, std::memory_order_relaxed);
    }
  }
  events.clear();
  if (queued > 0) wake_.notify_one();
  return queued;
}

bool EventLog::writeNow(std::vector<Event>& events) {
  bool chores = false;
  const size_t taken = writeInBatches(events, chores);
  const bool all = taken == events.size();
  if (!all) {
    // Stopped: the segment is closed and the closing checkpoint written.
    dropped_.fetch_add(events.size() - taken, std::memory_order_relaxed);
    auditLog()->error("{} audit events came after the event log of {} was stopped; they are lost",
                      events.size() - taken, options_.dir);
  }
  events.clear();
  if (chores) poke();
  return all;
}

void EventLog::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

// Where an exception (out of memory, in practice) is caught on the way to
// the disk: rendering a batch (the batch is counted lost, the chain
// untouched); writeBatch, which catches its own sealing failure (the chain
// goes back, the batch is counted lost) and counts a disk write's losses
// before anything after it can throw, so here only a log line is left to
// catch; and the writer thread's run(), around its batches, maintain() and
// the stop's close(), since escaping that thread would end the agent.
size_t EventLog::writeInBatches(std::span<Event> events, bool& chores) {
  // Each thread renders into its own buffer, kept from call to call.
  thread_local RenderedBatch rendered;
  size_t start = 0;
  while (start < events.size()) {
    const size_t size = std::min(kMaxBatch, events.size() - start);
    try {
      render(events.subspan(start, size), rendered);
    } catch (const std::exception& e) {
      // Out of memory, in practice. The batch is lost, and the chain says so.
      rendered.text.clear();
      rendered.ends.clear();
      std::lock_guard lock(writeMutex_);
      if (closed_) break;
      loseEvents(size, kInternalError);
      auditLog()->error("{} audit events could not be rendered ({}); they are lost", size, e.what());
      start += size;
      continue;
    }
    std::lock_guard lock(writeMutex_);
    if (closed_) break;
    const bool wasSynced = writtenSinceSync_ == 0;
    try {
      writeBatch(rendered);
    } catch (const std::exception& e) {
      // writeBatch counts its losses before anything after the disk write
      // can throw (a log line, out of memory): the batch is accounted for.
      auditLog()->error("audit event writer: {}", e.what());
    }
    start += size;
    // The writer sleeps until a deadline it set before these lines: it is
    // woken for their sync (once per sync window), and for a full spool.
    chores = chores || (wasSynced && writtenSinceSync_ > 0) || full_.load(std::memory_order_relaxed) || choresDue();
  }
  // Captured prompts may be in it: a burst's worth is not kept for good.
  if (rendered.text.capacity() > kKeptRenderBytes) {
    std::string().swap(rendered.text);
  } else {
    rendered.text.clear();
  }
  return start;
}

void EventLog::run() {
  std::vector<Event> taken;
  for (;;) {
    const auto deadline = nextChore();
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return stopping_ || !queue_.empty() || poked_; });
    poked_ = false;
    const bool closing = stopping_ && queue_.empty();
    // The two vectors trade places: their space is allocated once, not per event.
    taken.swap(queue_);
    auto appended = onAppended_;
    lock.unlock();
    if (closing) {
      try {
        close();
      } catch (const std::exception& e) {
        // As below: at stop too, an exception must not end the agent.
        auditLog()->error("audit event writer: closing the spool {} failed: {}", options_.dir, e.what());
      }
      if (appended) appended();
      return;
    }
    bool chores = false;
    try {
      writeInBatches(taken, chores);  // the writer does its chores anyway
      maintain();
    } catch (const std::exception& e) {
      // The last line of defence: escaping this thread, it would end the agent.
      auditLog()->error("audit event writer: unexpected error: {}", e.what());
    }
    taken.clear();
    // A burst's worth of space is not kept for good.
    if (taken.capacity() > 8 * kMaxBatch) std::vector<Event>().swap(taken);
    if (appended) appended();
  }
}

// Lines on their way to the disk are synced within kSyncDelay of the first;
// a full spool looks again for room every kBoundCheckInterval.
std::chrono::steady_clock::time_point EventLog::nextChore() {
  std::lock_guard lock(writeMutex_);
  auto deadline = std::chrono::steady_clock::time_point::max();
  if (writtenSinceSync_ > 0) deadline = firstUnsynced_ + kSyncDelay;
  if (full_.load()) deadline = std::min(deadline, lastBoundCheck_ + kBoundCheckInterval);
  if (!unsyncedSegments_.empty() || directoryUnsynced_) {
    deadline = std::min(deadline, std::chrono::steady_clock::now() + kSyncDelay);
  }
  return deadline;
}

// A segment is closed and old ones deleted here, not by a writeNow()
// caller: closing syncs the segment and the directory.
bool EventLog::choresDue() const {
  const auto now = std::chrono::steady_clock::now();
  return segmentSize_ >= options_.segmentBytes || now - lastBoundCheck_ >= kBoundCheckInterval ||
         (segmentSize_ > 0 && now - segmentOpened_ >= options_.segmentAge);
}

void EventLog::maintain() {
  Rotation rotation;
  bool boundDue = false;
  {
    std::lock_guard lock(writeMutex_);
    rotation = rotateIfDue();
    boundDue = rotation.newSegment || std::chrono::steady_clock::now() - lastBoundCheck_ >= kBoundCheckInterval;
  }
  // The closed segment's last checkpoint, and the new segment's name, reach the disk.
  if (rotation.closed.fd >= 0) unsyncedSegments_.push_back(rotation.closed);
  directoryUnsynced_ = directoryUnsynced_ || rotation.newSegment;
  syncClosedSegments();
  if (boundDue) {
    const SpoolUsage usage = deleteOldSegments();
    std::lock_guard lock(writeMutex_);
    noteUsage(usage);
    if (full_.load() && !overBound_ && !held_.empty()) flushHeld();
  }
  syncIfDue();
}

// A sync that failed for another reason than its writeback is tried again
// on the next pass (syncFailed()).
void EventLog::syncClosedSegments() {
  std::erase_if(unsyncedSegments_, [this](Closed& closed) {
    if (options_.syncData(closed.fd) == 0) {
      synced_.fetch_add(closed.lines, std::memory_order_relaxed);
    } else {
      const int err = errno;
      std::lock_guard lock(writeMutex_);
      const bool lost = syncFailed(closed.lines, err, segmentPath(options_.dir, closed.number), !closed.reported);
      closed.reported = true;
      if (!lost) return false;
    }
    ::close(closed.fd);
    return true;
  });
  if (!directoryUnsynced_) return;
  if (auto synced = syncDirectory(options_.dir); !synced) {
    if (!directoryReported_) auditLog()->error("{}; trying again", synced.error().message);
    directoryReported_ = true;
    return;
  }
  directoryUnsynced_ = false;
  directoryReported_ = false;
}

// fdatasync() takes milliseconds on a busy disk: it runs on a duplicate of
// the segment's descriptor with the lock released, so writeNow() callers
// never wait for it. Lines written meanwhile open the next sync window.
void EventLog::syncIfDue() {
  int fd = -1;
  uint64_t lines = 0;
  {
    std::lock_guard lock(writeMutex_);
    if (writtenSinceSync_ == 0 || std::chrono::steady_clock::now() < firstUnsynced_ + kSyncDelay) return;
    fd = ::dup(fd_);
    if (fd < 0) {
      syncNow();
      return;
    }
    lines = writtenSinceSync_;
    writtenSinceSync_ = 0;
  }
  const bool synced = options_.syncData(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (synced) {
    synced_.fetch_add(lines, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(writeMutex_);
  // A failed writeback may have taken the pages of lines written while the
  // sync ran too (fdatasync() flushes the whole file): those are lost with
  // the rest, or the next sync would count them as synced.
  if (syncFailed(lines + writtenSinceSync_, err, segmentPath(options_.dir, segment_.load()))) {
    writtenSinceSync_ = 0;
    return;
  }
  writtenSinceSync_ += lines;  // tried again with the lines written meanwhile
  firstUnsynced_ = std::chrono::steady_clock::now();
}

// Stopping, with the queue drained: what is held goes out if the disk takes
// it, then the loss count and a closing checkpoint, synced. Segments closed
// earlier are synced first, so their losses are in that count.
void EventLog::close() {
  syncClosedSegments();
  {
    std::lock_guard lock(writeMutex_);
    closeSegment();
  }
  for (const Closed& closed : unsyncedSegments_) {
    auditLog()->error("spool segment {} could not be synced by the stop; its last lines may be lost", closed.number);
    ::close(closed.fd);
  }
  unsyncedSegments_.clear();
}

void EventLog::closeSegment() {
  closed_ = true;
  if (!flushHeld()) {
    // The disk still refuses them and nothing is left to wait for.
    auditLog()->error("{} audit events held while the disk refused them are lost at stop", heldLines_);
    dropped_.fetch_add(heldLines_, std::memory_order_relaxed);
  } else {
    syncNow();  // a failed writeback's loss goes in the last notice
    std::string out;
    if (midLine_) out += '\n';
    noteLoss(queueLost_.exchange(0), kQueueFull);
    appendLossNotice(out);
    appendCheckpoint(out, true);
    int err = 0;
    if (out.size() > 1 && writeAll(out, err) != out.size()) reportWriteError(err);
    publishCommitted();
    finalSync_ = true;
    syncNow(/*force=*/true);  // the closing checkpoint too
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void EventLog::render(std::span<Event> batch, RenderedBatch& rendered) const {
  rendered.text.clear();
  rendered.ends.clear();
  for (auto& event : batch) {
    if (event.id.empty()) event.id = newEventId();  // here, so workers never pay for a queued one
    appendJsonLine(rendered.text, event, hostName_);
    rendered.ends.push_back(rendered.text.size());
  }
}

void EventLog::writeBatch(const RenderedBatch& batch) {
  // Over the bound, nothing more goes to disk: under the block policy the
  // lines wait in memory (the proxy refuses new requests meanwhile), under
  // the drop policy they are dropped. The writer thread looks for room
  // every kBoundCheckInterval (maintain()).
  noteLoss(queueLost_.exchange(0), kQueueFull);
  const bool diskTakes = !overBound_ && (held_.empty() || flushHeld());
  if (!diskTakes && (!options_.blockWhenFull || held_.size() >= options_.maxHeldBytes)) {
    loseEvents(batch.ends.size(), overBound_ ? kSpoolFull : kDiskRefused);
    return;
  }
  std::string& out = out_;
  out.clear();
  // Where the segment and the chain stood, to take the batch back whole if
  // the disk refuses part of it under the drop policy.
  const uint64_t sizeBefore = segmentSize_;
  const HashChain chainBefore = chain_;
  const uint64_t linesBefore = linesSinceCheckpoint_;
  const bool midLineBefore = midLine_;
  // Ends the half line a crash or a refused write left, so only that line is lost.
  if (midLine_ && held_.empty()) out += '\n';
  const uint64_t noticed = lostSinceNotice_;
  const uint8_t noticedCauses = lossCauses_;
  const auto checkpointBefore = lastCheckpoint_;
  size_t noticeEnd = 0;
  try {
    appendLossNotice(out);
    noticeEnd = out.size();
    size_t lineBegin = 0;
    for (const size_t lineEnd : batch.ends) {
      const size_t lineStart = out.size();
      out.append(batch.text, lineBegin, lineEnd - lineBegin);
      lineBegin = lineEnd;
      // A line that is lost later still took its place in the chain: the
      // loss shows as a gap where the chain is checked.
      chain_.seal(out, lineStart);
      ++linesSinceCheckpoint_;
    }
    appendCheckpoint(out, false);
    if (!diskTakes || !held_.empty()) {  // kept, in order, behind the others
      held_ += out;  // all or nothing: held_ is unchanged if this throws
      heldLines_ += batch.ends.size();
      return;
    }
  } catch (const std::exception& e) {
    // Out of memory, in practice. Nothing reached the disk: the chain and
    // the pending loss notice go back to where they were, and the batch is
    // counted lost so the next notice says so.
    chain_ = chainBefore;
    linesSinceCheckpoint_ = linesBefore;
    lastCheckpoint_ = checkpointBefore;
    lostSinceNotice_ = noticed;
    lossCauses_ = noticedCauses;
    loseEvents(batch.ends.size(), kInternalError);
    auditLog()->error("{} audit events could not be sealed ({}); they are lost", batch.ends.size(), e.what());
    return;
  }
  int err = 0;
  const size_t n = writeAll(out, err);
  if (n < out.size() && !options_.blockWhenFull && ::ftruncate(fd_, static_cast<off_t>(sizeBefore)) == 0) {
    // Dropped whole: no cut line, no gap in the chain; the loss notice
    // written when there is room again says what is missing here.
    segmentSize_ = sizeBefore;
    spoolBytes_.fetch_sub(n, std::memory_order_relaxed);
    chain_ = chainBefore;
    linesSinceCheckpoint_ = linesBefore;
    midLine_ = midLineBefore;
    lastCheckpoint_ = checkpointBefore;
    loseEvents(batch.ends.size(), kDiskRefused);
    noteLoss(noticed, noticedCauses);  // the notice was taken back too
    diskRefused_ = true;
    reportWriteError(err);
    updateFull();
    return;
  }
  // A loss notice or checkpoint line is not an event: counts are capped at the batch.
  const uint64_t events = std::min<uint64_t>(countLines(std::string_view(out).substr(0, n)), batch.ends.size());
  written_.fetch_add(events, std::memory_order_relaxed);
  noteWritten(events);
  if (n == out.size()) {
    const bool recovered = diskRefused_;
    diskRefused_ = false;
    lastWriteError_.clear();
    updateFull();
    // Logged last: the state above is right even if this runs out of memory.
    if (noticed > 0) {
      auditLog()->warn("{} audit events were lost in the spool {} ({}); an audit_loss line says so", noticed,
                       options_.dir, lossReason(noticedCauses));
    }
    if (recovered) auditLog()->info("writing events to {} again", options_.dir);
    return;
  }
  publishCommitted();  // what the disk took stays
  diskRefused_ = true;
  const std::string_view rest = std::string_view(out).substr(n);
  uint8_t restCause = kDiskRefused;
  if (options_.blockWhenFull) {
    // The rest (from the middle of a line, if so) is written when the disk
    // takes it again: the segment then reads as if nothing had happened.
    try {
      held_.assign(rest);  // all or nothing
      heldLines_ = countLines(rest);
      restCause = 0;
    } catch (const std::exception&) {
      restCause = kInternalError;  // no memory to hold it: lost, and counted below
    }
  }
  if (restCause != 0) {
    const uint64_t lost = std::min<uint64_t>(countLines(rest), batch.ends.size());
    loseEvents(lost, restCause);
    // A loss notice the disk refused too still owes its count to the next one.
    if (n < noticeEnd) noteLoss(noticed, noticedCauses);
  }
  updateFull();
  // Last: the counts above are right even if this runs out of memory.
  reportWriteError(err);
}

bool EventLog::flushHeld() {
  if (held_.empty()) return true;
  int err = 0;
  const size_t n = writeAll(held_, err);
  publishCommitted();  // held lines are never taken back
  const uint64_t events = std::min(countLines(std::string_view(held_).substr(0, n)), heldLines_);
  written_.fetch_add(events, std::memory_order_relaxed);
  noteWritten(events);
  heldLines_ -= events;
  held_.erase(0, n);
  if (!held_.empty()) {
    reportWriteError(err);
    return false;
  }
  heldLines_ = 0;
  if (diskRefused_) auditLog()->info("writing events to {} again; the events held meanwhile are written", options_.dir);
  diskRefused_ = false;
  lastWriteError_.clear();
  updateFull();
  return true;
}

size_t EventLog::writeAll(std::string_view out, int& err) {
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
  if (offset > 0) {
    midLine_ = out[offset - 1] != '\n';
    segmentSize_ += offset;
    spoolBytes_.fetch_add(offset, std::memory_order_relaxed);
  }
  // Part of a write may be taken back: the caller publishes it once it is kept.
  if (offset == out.size()) publishCommitted();
  return offset;
}

void EventLog::publishCommitted() {
  if (committed_) committed_->publish({segment_.load(), segmentSize_});
}

void EventLog::reportWriteError(int err) {
  const std::string error = errnoError("write spool segment " + segmentPath(options_.dir, segment_.load()), err).message;
  // Once per new error: a full disk must not also flood the journal.
  if (error == lastWriteError_) return;
  lastWriteError_ = error;
  if (options_.blockWhenFull) {
    auditLog()->error("{}; new requests are refused until events can be written again (free space)", error);
  } else {
    auditLog()->error("{}; events are being dropped and counted until they can be written again (free space)", error);
  }
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

// Dropped events leave a line saying so, in the chain, where they would have been.
void EventLog::appendLossNotice(std::string& out) {
  if (lostSinceNotice_ == 0) return;
  const size_t lineStart = out.size();
  out += "{\"host\":" + nlohmann::json(hostName_).dump() + ",\"id\":\"" + newEventId() +
         "\",\"lost\":{\"events\":" + std::to_string(lostSinceNotice_) + ",\"reason\":\"" + lossReason(lossCauses_) +
         "\"},\"schema\":\"warden.event/v1\",\"time\":\"";
  appendTimestamp(out, std::chrono::system_clock::now());
  out += "\",\"type\":\"audit_loss\"}\n";
  chain_.seal(out, lineStart);
  ++linesSinceCheckpoint_;
  lostSinceNotice_ = 0;
  lossCauses_ = 0;
}

std::string EventLog::lossReason(uint8_t causes) {
  std::string reason;
  const auto add = [&](uint8_t cause, const char* text) {
    if ((causes & cause) == 0) return;
    if (!reason.empty()) reason += ", ";
    reason += text;
  };
  add(kSpoolFull, "spool full");
  add(kDiskRefused, "the disk refused the write");
  add(kQueueFull, "queue full");
  add(kInternalError, "internal error, see the agent's log");
  add(kSyncFailed, "the disk failed to sync them");
  return reason;
}

void EventLog::loseEvents(uint64_t events, uint8_t cause) {
  dropped_.fetch_add(events, std::memory_order_relaxed);
  noteLoss(events, cause);
}

void EventLog::noteLoss(uint64_t events, uint8_t causes) {
  if (events == 0) return;
  lostSinceNotice_ += events;
  lossCauses_ |= causes;
}

EventLog::Rotation EventLog::rotateIfDue() {
  if (segmentSize_ == 0 || !held_.empty()) return {};
  const bool big = segmentSize_ >= options_.segmentBytes;
  const bool old = std::chrono::steady_clock::now() - segmentOpened_ >= options_.segmentAge;
  if (!big && !old) return {};
  // The segment is synced off the lock through a duplicate of its
  // descriptor. Without one it is not closed now (a closed segment that is
  // never synced could lose its last lines): the next pass tries again.
  UniqueFd closing(::dup(fd_));
  if (!closing.valid()) {
    if (!rotationDeferred_) {
      auditLog()->error("{}; it stays open until it can be",
                        errnoError("close spool segment " + segmentPath(options_.dir, segment_.load())).message);
    }
    rotationDeferred_ = true;
    return {};
  }
  // A segment ends with a signed checkpoint, so each can be verified alone.
  const uint64_t sizeBefore = segmentSize_;
  const HashChain chainBefore = chain_;
  const uint64_t linesBefore = linesSinceCheckpoint_;
  const bool midLineBefore = midLine_;
  std::string out;
  if (midLine_) out += '\n';
  appendCheckpoint(out, true);
  int err = 0;
  if (const size_t n = out.empty() ? 0 : writeAll(out, err); n != out.size()) {
    // Taken back whole, so the chain has neither a cut line nor a checkpoint
    // that is not there; the segment stays open and is closed later.
    if (::ftruncate(fd_, static_cast<off_t>(sizeBefore)) == 0) {
      segmentSize_ = sizeBefore;
      spoolBytes_.fetch_sub(n, std::memory_order_relaxed);
      chain_ = chainBefore;
      linesSinceCheckpoint_ = linesBefore;
      midLine_ = midLineBefore;
    }
    publishCommitted();  // what a failed truncation left stays
    diskRefused_ = true;
    reportWriteError(err);
    updateFull();
    return {};
  }
  rotationDeferred_ = false;
  // Synced by the writer once the lock is released: its lines, checkpoint included.
  Rotation rotation;
  rotation.closed = Closed{closing.release(), writtenSinceSync_, segment_.load()};
  writtenSinceSync_ = 0;
  const uint64_t next = segment_.load() + 1;
  if (auto opened = openSegment(next, false, /*syncDir=*/false); !opened) {
    auditLog()->error("{}; events stay in the current segment", opened.error().message);
    return rotation;
  }
  auditLog()->debug("spool segment {} started", next);
  rotation.newSegment = true;
  return rotation;
}

EventLog::SpoolUsage EventLog::deleteOldSegments() {
  const std::vector<uint64_t> segments = listSegments(options_.dir);
  std::vector<uint64_t> sizes;
  uint64_t total = 0;
  for (uint64_t s : segments) {
    sizes.push_back(fileSize(segmentPath(options_.dir, s)));
    total += sizes.back();
  }
  const auto slowest = cursors_ ? cursors_->slowest() : std::nullopt;
  size_t kept = 0;
  // Oldest first; never the one being written (the newest: only this
  // thread starts segments), never one a sink still needs.
  while (total > options_.maxBytes && kept + 1 < segments.size()) {
    const uint64_t oldest = segments[kept];
    if (slowest && oldest >= slowest->segment) break;
    if (::unlink(segmentPath(options_.dir, oldest).c_str()) != 0 && errno != ENOENT) break;
    total -= sizes[kept];
    ++kept;
  }
  return {total, segments.size() - kept};
}

void EventLog::noteUsage(SpoolUsage usage) {
  lastBoundCheck_ = std::chrono::steady_clock::now();
  // Lines written since the listing are not counted until the next one.
  spoolBytes_.store(usage.bytes);
  segments_.store(usage.segments);
  const bool over = usage.bytes > options_.maxBytes;
  if (over && !overBound_) {
    auditLog()->error("the audit spool {} holds {} bytes, over its bound of {}, and its sinks have not read it yet; {}",
                      options_.dir, usage.bytes, options_.maxBytes,
                      options_.blockWhenFull ? "new requests are refused until they catch up"
                                             : "new events are dropped (and counted) until they catch up");
  } else if (!over && overBound_) {
    auditLog()->info("the audit spool {} has room again", options_.dir);
  }
  overBound_ = over;
  updateFull();
}

void EventLog::updateFull() { full_.store(overBound_ || diskRefused_, std::memory_order_relaxed); }

void EventLog::noteWritten(uint64_t lines) {
  if (lines == 0) return;
  if (writtenSinceSync_ == 0) firstUnsynced_ = std::chrono::steady_clock::now();
  writtenSinceSync_ += lines;
}

void EventLog::syncNow(bool force) {
  if (writtenSinceSync_ == 0 && !force) return;
  if (options_.syncData(fd_) != 0) {
    const int err = errno;
    if (!syncFailed(writtenSinceSync_, err, segmentPath(options_.dir, segment_.load()))) {
      firstUnsynced_ = std::chrono::steady_clock::now();  // tried again
      return;
    }
  } else {
    synced_.fetch_add(writtenSinceSync_, std::memory_order_relaxed);
  }
  writtenSinceSync_ = 0;
}

// After a failed writeback (EIO; ENOSPC or EDQUOT where space is allocated
// at writeback) trying the sync again would be a lie: Linux marks the pages
// it could not write clean, so the next fdatasync() reports success without
// writing them. The lines stay in the segment, and a sink may still read
// them from memory, but the spool no longer vouches that a crash leaves
// them: they are counted lost and the chain's next loss notice says so.
// Lines written after the failure are synced as usual. Any other error
// (EINVAL: the file cannot be synced at all) wrote nothing back, so there
// is nothing to lose yet: the sync is tried again.
bool EventLog::syncFailed(uint64_t events, int err, const std::string& file, bool log) {
  const bool writebackFailed = err == EIO || err == ENOSPC || err == EDQUOT;
  if (writebackFailed) loseEvents(events, kSyncFailed);
  if (!log) return writebackFailed;
  try {  // logged last: the counts above are right even if this runs out of memory
    const std::string error = errnoError("sync " + file, err).message;
    if (!writebackFailed) {
      auditLog()->error("{}{}", error, closed_ ? "" : "; trying again");
    } else if (events == 0) {
      auditLog()->error("{}", error);  // a checkpoint or loss notice alone
    } else {
      auditLog()->error("{}; the {} audit events written since the last sync are counted lost{}", error, events,
                        finalSync_ ? " (the log is closed: no audit_loss line records them)" : "");
    }
  } catch (const std::exception&) {
  }
  return writebackFailed;
}

}  // namespace warden::audit
