// Tamper evidence for the event log: every line carries the SHA-256 of the
// line before it and its place in the sequence,
//   {..., "chain": {"prev": "<64 hex>", "seq": N}}
// so editing, deleting, inserting or reordering a line breaks the chain at
// that line, and verifyChain() names the first place it breaks. The chain
// continues across restarts from the file's last line.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

namespace warden::audit {

using Sha256 = std::array<unsigned char, 32>;

std::string toHex(const Sha256& digest);
Sha256 sha256Of(std::string_view bytes);

class HashChain {
 public:
  // Continues after `lastLine`, the last complete line already in the log
  // (without its newline): its seq + 1, its hash as prev. A line without a
  // chain (a log written before chaining) is hashed and followed with seq 0;
  // an empty log starts at seq 0 with a prev of zeros.
  static HashChain after(std::string_view lastLine);

  // `out` from `lineStart` on is one JSON object and its newline, as
  // appendJsonLine() writes it: the chain member goes in before the closing
  // brace, and the chain advances past the line.
  void seal(std::string& out, size_t lineStart);

  uint64_t nextSeq() const { return nextSeq_; }
  const Sha256& head() const { return head_; }

 private:
  uint64_t nextSeq_ = 0;
  Sha256 head_{};
};

// The last complete line of the file at `path` (without its newline), or ""
// when the file is empty or missing; a trailing half line is skipped.
std::string lastCompleteLine(const std::string& path);

class CheckpointVerifier;

struct ChainReport {
  uint64_t lines = 0;     // chained lines read
  uint64_t firstSeq = 0;  // seq of the first of them
  uint64_t checkpoints = 0;          // checkpoint lines among them
  uint64_t checkpointsVerified = 0;  // whose signature the verifier accepted
  std::optional<uint64_t> lastSignedSeq;  // the last line a verified checkpoint covers
  bool ok = true;
  uint64_t problemLine = 0;  // 1-based line number in the input
  std::string problem;       // what is wrong there, for people
};

// Reads JSON lines and checks that each follows the one before: seq one
// more, prev the SHA-256 of the previous line. The first line's prev cannot
// be checked (its predecessor may be in a rotated file). A checkpoint line
// must name the chain's head where it stands, and with a verifier its
// signature must verify. Stops at the first problem.
ChainReport verifyChain(std::istream& lines, const CheckpointVerifier* verifier = nullptr);

}  // namespace warden::audit
