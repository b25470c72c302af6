// Appends events as JSON lines to a local file from its own thread, so no
// worker ever waits on file I/O. The queue is bounded; overflow is counted.
// Each line is chained to the one before it (hash_chain.h), continuing the
// chain the file already holds; with a signer, a signed checkpoint of the
// chain follows every kCheckpointLines lines or kCheckpointInterval, and
// the last lines when the log closes. Lines are synced to the disk in
// batches, within kSyncDelay.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <atomic>
#include <chrono>
#include <vector>

#include "core/result.h"
#include "layers/audit/event.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/hash_chain.h"

namespace warden::audit {

class EventLog {
 public:
  // Written lines reach the disk (fdatasync) at most this long after the
  // first of them: one sync per burst, not per event.
  static constexpr std::chrono::milliseconds kSyncDelay{100};
  static constexpr uint64_t kCheckpointLines = 1000;
  static constexpr std::chrono::seconds kCheckpointInterval{60};

  // Opens (creating parent directories, mode 0640) for append.
  static Result<std::unique_ptr<EventLog>> open(const std::string& path, size_t maxQueued = 65536,
                                                std::shared_ptr<const CheckpointSigner> signer = nullptr);
  ~EventLog();  // drains the queue, then closes

  // Never blocks on I/O. Returns false (and counts a drop) when the queue is full.
  bool submit(Event event);
  // Takes (and clears) `events` under one lock with one wakeup of the writer;
  // events beyond the queue's room are dropped and counted. Returns how many
  // were queued.
  size_t submitBatch(std::vector<Event>& events);

  uint64_t written() const { return written_.load(); }
  // Written and synced to the disk.
  uint64_t synced() const { return synced_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  // Events lost to write errors (disk full, I/O error); each error is logged.
  uint64_t failed() const { return failed_.load(); }
  const std::string& path() const { return path_; }

 private:
  EventLog(std::string path, int fd, size_t maxQueued, HashChain chain, bool midLine,
           std::shared_ptr<const CheckpointSigner> signer);
  // Appends a signed checkpoint of the chain to `out` when one is due (or
  // `force`) and lines were written since the last.
  void appendCheckpoint(std::string& out, bool force);
  // write() until done or an error (`err`); returns the bytes written.
  size_t writeAll(const std::string& out, int& err);
  void writeFinalCheckpoint();
  void noteWritten(uint64_t events);
  void syncNow();
  void run();
  void writeBatch(std::span<Event> batch);

  std::string path_;
  std::string hostName_;
  int fd_;
  size_t maxQueued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Event> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> synced_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> failed_{0};
  std::string lastWriteError_;  // writer thread only; logs each new error once
  bool midLine_ = false;        // writer thread only; a failed write left half a line
  std::string out_;             // writer thread only; one batch's lines, its space reused
  HashChain chain_;             // writer thread only
  std::shared_ptr<const CheckpointSigner> signer_;
  uint64_t linesSinceCheckpoint_ = 0;                     // writer thread only
  std::chrono::steady_clock::time_point lastCheckpoint_;  // writer thread only
  uint64_t writtenSinceSync_ = 0;                          // writer thread only
  std::chrono::steady_clock::time_point firstUnsynced_;    // writer thread only
  std::thread thread_;
};

}  // namespace warden::audit
