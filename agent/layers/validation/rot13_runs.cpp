#include "layers/validation/rot13_runs.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace warden::validation {
namespace {

constexpr size_t kMinHits = 2;
constexpr size_t kMaxPackedLetters = 12;

// Frequent English words and the vocabulary of injections: what a rot13
// payload decodes to and a rot13 look-alike of ordinary text does not.
constexpr std::array kCommonWords = {
    "a", "about", "above", "act", "after", "all", "also", "always", "an", "and", "answer", "any", "are", "as",
    "assistant", "at", "back", "be", "because", "been", "but", "by", "can", "could", "data", "developer", "disregard",
    "do", "everything", "file", "for", "forget", "from", "get", "give", "had", "has", "have", "he", "her", "here",
    "his", "how", "i", "if", "ignore", "in", "instruction", "instructions", "into", "is", "it", "its", "jailbreak",
    "just", "key", "know", "like", "make", "me", "message", "mode", "must", "my", "never", "new", "no", "not",
    "now", "of", "on", "one", "only", "or", "other", "our", "out", "output", "override", "password", "people",
    "please", "pretend", "previous", "print", "prior", "prompt", "repeat", "reply", "respond", "reveal", "rules",
    "say", "secret", "send", "she", "should", "show", "so", "some", "system", "take", "tell", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "to", "up", "us", "user", "was", "we", "what",
    "when", "which", "who", "will", "with", "would", "write", "you", "your"};

// Up to 12 lowercase letters in one integer, so a lookup is a probe of a
// small hash table. The word and its rot13 are packed in the same pass.
struct PackedWord {
  uint64_t plain;
  uint64_t rotated;
};

PackedWord pack(std::string_view word) {
  PackedWord packed{word.size(), word.size()};
  for (char c : word) {
    const auto letter = static_cast<uint64_t>(c - 'a');
    const uint64_t rotated = letter < 13 ? letter + 13 : letter - 13;
    packed.plain = packed.plain << 5 | (letter + 1);
    packed.rotated = packed.rotated << 5 | (rotated + 1);
  }
  return packed;
}

// Open addressing on the packed words: a lookup per word of every prompt.
class WordSet {
 public:
  WordSet() {
    for (std::string_view word : kCommonWords) {
      const uint64_t key = pack(word).plain;
      size_t slot = hash(key);
      while (slots_[slot] != 0) slot = (slot + 1) & kMask;
      slots_[slot] = key;
    }
  }

  bool contains(uint64_t key) const {
    for (size_t slot = hash(key);; slot = (slot + 1) & kMask) {
      if (slots_[slot] == key) return true;
      if (slots_[slot] == 0) return false;
    }
  }

 private:
  static constexpr size_t kSlots = 512;  // a quarter full
  static constexpr size_t kMask = kSlots - 1;
  static size_t hash(uint64_t key) { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 55) & kMask; }
  std::array<uint64_t, kSlots> slots_{};
};

const WordSet& commonWords() {
  static const WordSet words;
  return words;
}

bool isLetter(char c) { return c >= 'a' && c <= 'z'; }

char rot13(char c) { return isLetter(c) ? static_cast<char>('a' + (c - 'a' + 13) % 26) : c; }

}  // namespace

std::vector<Rot13Run> findRot13Runs(std::string_view folded) {
  const WordSet& known = commonWords();
  std::vector<Rot13Run> runs;
  size_t runBegin = 0;
  size_t runEnd = 0;
  size_t words = 0;
  size_t hits = 0;
  auto flush = [&] {
    if (hits >= kMinHits && hits * 3 >= words) {
      Rot13Run run{runBegin, runEnd, std::string(folded.substr(runBegin, runEnd - runBegin))};
      std::transform(run.decoded.begin(), run.decoded.end(), run.decoded.begin(), rot13);
      runs.push_back(std::move(run));
    }
    words = hits = 0;
  };
  size_t at = 0;
  while (at < folded.size()) {
    if (!isLetter(folded[at])) {
      ++at;
      continue;
    }
    const size_t begin = at;
    while (at < folded.size() && isLetter(folded[at])) ++at;
    const std::string_view word = folded.substr(begin, at - begin);
    const bool packable = word.size() <= kMaxPackedLetters;
    const PackedWord packed = packable ? pack(word) : PackedWord{0, 0};
    // A word that is English as written ends a run: the text around it is
    // plain text, not rot13.
    if (packable && known.contains(packed.plain)) {
      flush();
      continue;
    }
    if (words == 0) runBegin = begin;
    runEnd = at;
    ++words;
    if (packable && known.contains(packed.rotated)) ++hits;
  }
  flush();
  return runs;
}

}  // namespace warden::validation
