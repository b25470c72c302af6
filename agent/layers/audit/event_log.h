// The audit spool's writer: every event becomes one JSON line in the newest
// segment of the spool directory (spool_layout.h), queued events from this
// log's own thread. Lines are chained to the ones
// before them (hash_chain.h), across segments and restarts; with a signer, a
// signed checkpoint follows every kCheckpointLines lines or
// kCheckpointInterval, closes each segment, and ends the log. Lines reach
// the disk (fdatasync) in batches within kSyncDelay. A sync whose writeback
// failed is not tried again: the lines it covered are counted lost
// (syncFailed()).
//
// A caller that must not go on before its events are in the spool (the proxy,
// before the last bytes of a response) writes them itself with writeNow():
// from its return the agent's death cannot lose them, only the machine's
// can, until the next sync. Taking them to the writer thread and back would
// cost two thread wakeups per response; a write() to the page cache costs
// a few microseconds. What takes milliseconds stays on the writer thread,
// off the lock: syncs, closing segments, listing and deleting old ones, and
// rendering events as JSON (only the chain and the write() are under it).
// The writer holds the lock for one batch (kMaxBatch events) at a time, so
// a writeNow() caller waits for a batch at most, never a whole drained queue.
// A checkpoint is signed under the lock: its line has its place in the
// chain, and the next line chains on it (Ed25519: tens of microseconds).
//
// Segments are closed at a size or an age. Old ones are deleted once every
// sink has read past them and the spool is over its bound; when the spool is
// over its bound with nothing deletable (sinks behind) or the disk refuses a
// write, the spool is full and the configured policy applies:
//   Block: full() tells the proxy to refuse new requests; what was already
//          decided is kept in memory (bounded) and written when room returns.
//   Drop:  new events are dropped and counted; when room returns, a line
//          saying how many were lost is written in their place.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/event.h"
#include "layers/audit/hash_chain.h"
#include "layers/audit/spool_layout.h"

namespace warden::audit {

struct SpoolOptions {
  std::string dir;
  uint64_t segmentBytes = 64ull << 20;
  std::chrono::seconds segmentAge{3600};
  uint64_t maxBytes = 1ull << 30;
  bool blockWhenFull = true;  // false: drop (and count) events instead
  size_t maxQueued = 65536;   // events waiting for the writer thread
  // Block policy: bytes of lines kept in memory while the disk refuses them.
  size_t maxHeldBytes = 64u << 20;
  // How a segment's data is made durable: fdatasync(2). Tests make it fail.
  int (*syncData)(int fd) = ::fdatasync;
};

class EventLog {
 public:
  static constexpr std::chrono::milliseconds kSyncDelay{100};
  static constexpr uint64_t kCheckpointLines = 1000;
  static constexpr std::chrono::seconds kCheckpointInterval{60};
  // How often a full spool looks again whether sinks made room.
  static constexpr std::chrono::milliseconds kBoundCheckInterval{200};

  // Opens the spool (creating the directory, mode 0750) and continues its
  // newest segment. `cursors` (may be null: no sinks) tells which segments
  // sinks still need; `committed` (may be null) is where the end of the
  // lines that will not be taken back is published for them.
  static Result<std::unique_ptr<EventLog>> open(SpoolOptions options,
                                                std::shared_ptr<const CheckpointSigner> signer = nullptr,
                                                std::shared_ptr<const SpoolCursors> cursors = nullptr,
                                                std::shared_ptr<SpoolCommitted> committed = nullptr);
  ~EventLog();  // stop()

  // Writes what is queued and held, the loss count and a closing
  // checkpoint, syncs, and closes the segment. From then on events are
  // refused and counted as dropped. Called by one thread, once or more.
  void stop();

  // Never blocks on I/O. Returns false (and counts a drop) when the queue is
  // full, or the spool is full under the drop policy.
  bool submit(Event event);
  // Takes (and clears) `events` under one lock with one wakeup of the writer.
  // Returns how many were queued.
  size_t submitBatch(std::vector<Event>& events);
  // Writes `events` (and clears it) on this thread, ahead of any still
  // queued: written to the segment when it returns (not yet synced), or held
  // in memory or dropped as the spool-full policies say. false once the log
  // is stopped: nothing is written and the events are counted as dropped.
  bool writeNow(std::vector<Event>& events);
  // Called on the writer thread after lines were appended (sinks wake on it).
  void onAppended(std::function<void()> callback);

  // Under the block policy: the spool cannot take more, new requests should
  // be refused until it can.
  bool full() const { return full_.load(std::memory_order_relaxed) && options_.blockWhenFull; }

  uint64_t written() const { return written_.load(); }
  uint64_t synced() const { return synced_.load(); }
  // Events lost: the queue was full, the spool was full under the drop
  // policy, the disk refused them beyond what could be held, they could
  // not be rendered or sealed (out of memory), or the disk failed to sync
  // them (those were written, so they are counted in written() too).
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t spoolBytes() const { return spoolBytes_.load(); }
  uint64_t segments() const { return segments_.load(); }
  uint64_t currentSegment() const { return segment_.load(); }
  const std::string& dir() const { return options_.dir; }

 private:
  EventLog(SpoolOptions options, std::shared_ptr<const CheckpointSigner> signer,
           std::shared_ptr<const SpoolCursors> cursors);
  // `syncDir`: sync the directory for a new segment's name here (else the caller does).
  Status openSegment(uint64_t number, bool continuing, bool syncDir = true);
  // A segment closed at rotation, still to be synced through a duplicate of
  // its descriptor (fd -1: nothing to do).
  struct Closed {
    int fd = -1;
    uint64_t lines = 0;
    uint64_t number = 0;  // its name's
    bool reported = false;  // its sync failed and was logged once
  };
  struct Rotation {
    Closed closed;
    bool newSegment = false;  // its name still has to reach the disk
  };
  // What the spool holds after old segments were deleted.
  struct SpoolUsage {
    uint64_t bytes = 0;
    uint64_t segments = 0;
  };
  void run();
  // Writes `events` one batch per hold of writeMutex_; returns how many were
  // taken (all, unless the log is closed). `chores`: the writer should wake.
  size_t writeInBatches(std::span<Event> events, bool& chores);
  // A batch's event lines, each "{...}\n" still to be sealed into the chain.
  // Rendered before writeMutex_ is taken: the JSON is most of a batch's
  // cost, and two workers committing at once would otherwise wait for it.
  struct RenderedBatch {
    std::string text;
    std::vector<size_t> ends;  // where each line ends in `text`
  };
  void render(std::span<Event> batch, RenderedBatch& rendered) const;
  void writeBatch(const RenderedBatch& batch);
  enum LossCause : uint8_t { kSpoolFull = 1, kDiskRefused = 2, kInternalError = 4, kQueueFull = 8, kSyncFailed = 16 };
  // For the next audit_loss line (under writeMutex_).
  void noteLoss(uint64_t events, uint8_t causes);
  // Events lost now: counted in dropped() and noted for the next audit_loss
  // line. noteLoss() alone is for counts already in dropped() (a notice the
  // disk refused, queue-full drops counted when they happened).
  void loseEvents(uint64_t events, uint8_t cause);
  static std::string lossReason(uint8_t causes);
  // Writes `held_` out; true when nothing is left held.
  bool flushHeld();
  void appendCheckpoint(std::string& out, bool force);
  void appendLossNotice(std::string& out);
  Rotation rotateIfDue();
  bool choresDue() const;
  // Deletes the oldest segments no sink needs while the spool is over its
  // bound: directory listing and unlinks, writer thread only, off the lock.
  SpoolUsage deleteOldSegments();
  // Under writeMutex_: whether the spool is over its bound from now on.
  void noteUsage(SpoolUsage usage);
  // Writer thread, off the lock: closed segments and new segments' names
  // that did not reach the disk yet are tried again on each pass.
  void syncClosedSegments();
  void noteWritten(uint64_t events);
  void syncNow(bool force = false);
  // Under writeMutex_, after fdatasync() of `file` failed with `err`: a
  // failed writeback counts the `events` written since its last good sync
  // lost (true); other errors leave them to be synced again (false).
  bool syncFailed(uint64_t events, int err, const std::string& file, bool log = true);
  void reportWriteError(int err);
  // write() until done or an error (`err`); returns the bytes written.
  size_t writeAll(std::string_view out, int& err);
  // Tells readers the segment's current end is final (SpoolCommitted).
  void publishCommitted();
  void updateFull();
  // The writer thread's chores between batches: the segment's age or size,
  // room in a full spool, syncs (off the lock).
  void maintain();
  std::chrono::steady_clock::time_point nextChore();
  void syncIfDue();
  // On the writer thread, once the queue is drained at stop.
  void close();
  // Under writeMutex_: the last lines out, the segment closed.
  void closeSegment();
  void poke();

  SpoolOptions options_;
  std::string hostName_;
  std::shared_ptr<const CheckpointSigner> signer_;
  std::shared_ptr<const SpoolCursors> cursors_;
  std::shared_ptr<SpoolCommitted> committed_;
  std::function<void()> onAppended_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Event> queue_;
  bool stopping_ = false;
  bool poked_ = false;  // lines written by writeNow() need the writer's chores

  std::atomic<bool> full_{false};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> synced_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> spoolBytes_{0};
  std::atomic<uint64_t> segments_{0};
  std::atomic<uint64_t> segment_{0};

  // Everything from here on is the writer's state, under writeMutex_ (the
  // writer thread's, or a writeNow() caller's). Never held while syncing.
  std::mutex writeMutex_;
  bool closed_ = false;  // by close(): nothing more is written
  bool finalSync_ = false;  // the closing checkpoint's: no loss notice can follow
  int fd_ = -1;
  bool midLine_ = false;  // the segment ends in half a line (a crash, a refused write)
  bool diskRefused_ = false;
  bool overBound_ = false;
  uint64_t segmentSize_ = 0;
  std::chrono::steady_clock::time_point segmentOpened_;
  std::string out_;    // one batch's lines, its space reused
  std::string held_;   // sealed lines the disk refused (block policy)
  uint64_t heldLines_ = 0;
  uint64_t lostSinceNotice_ = 0;  // events dropped since the last loss notice
  uint8_t lossCauses_ = 0;        // LossCause bits, for that notice's reason
  std::atomic<uint64_t> queueLost_{0};  // refused by submitBatch(), not yet in lostSinceNotice_
  std::string lastWriteError_;
  HashChain chain_;
  uint64_t linesSinceCheckpoint_ = 0;
  std::chrono::steady_clock::time_point lastCheckpoint_;
  uint64_t writtenSinceSync_ = 0;
  std::chrono::steady_clock::time_point firstUnsynced_;
  std::chrono::steady_clock::time_point lastBoundCheck_;

  // The writer thread's alone (no lock).
  std::vector<Closed> unsyncedSegments_;
  bool directoryUnsynced_ = false;
  bool directoryReported_ = false;  // its failed sync was logged once
  bool rotationDeferred_ = false;   // a rotation was put off (and logged once)
  std::thread thread_;
};

}  // namespace warden::audit
