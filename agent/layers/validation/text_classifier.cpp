// Features (feature scheme 2), shared by scoring and training. Each view is
// read as bytes: the main text's folded view and each decoded segment's
// folded view (decoded base64/hex/rot13/tag text is scored like the text
// itself), with at most kMaxFeatureBytes of all of them together, so the work
// per text is linear and bounded. From each view:
//   - word unigrams and bigrams; a word is a maximal run of ASCII letters and
//     digits and of non-ASCII bytes (so Chinese runs are one "word");
//   - character 3-, 4- and 5-grams at every byte (spaces, punctuation too);
//   - the leet view's words that differ from the folded bytes under them and
//     have a letter there ("1gn0r3" adds the word "ignore"; "2023" nothing),
//     and the joined view's words that were split in the folded view
//     ("i g n o r e"), both as unigrams in the same table as ordinary words.
// Hashes (stable: fixed seeds, little-endian, no std::hash):
//   word      h = kWordSeed ^ length, then h = fmix64(h ^ chunk) for each
//             8-byte little-endian chunk (the last zero-padded); index =
//             low hashBits bits of h
//   bigram    low bits of fmix64(rotl(h1, 23) ^ h2 ^ kBigramSeed)
//   n-gram    key = the n bytes little-endian | n << 56; index = high
//             hashBits bits of key * kCharMultiplier (multiply-shift)
// (fmix64 is murmur3's 64-bit finaliser.) Features are present or not: an
// index counts once however often it occurs (scheme 1 counted occurrences,
// and a harmless paragraph repeated thirty times scored as an attack). With N
// distinct indices, margin = bias + sum(weight[index]) / sqrt(N);
// score = 1 / (1 + exp(-(scale * margin + shift))) (Platt scaling).
//
// Model file (format version 1), all integers and floats little-endian:
//   offset  size  field
//        0     8  magic "WARDENCL"
//        8     4  u32 format version (1)
//       12     4  u32 feature scheme (2, above)
//       16     4  u32 hashBits, kMinHashBits..kMaxHashBits
//       20     8  u64 training rows
//       28     8  u64 seed
//       36     8  f64 threshold, in [0, 1]
//       44     4  f32 bias
//       48     4  f32 calibration scale
//       52     4  f32 calibration shift
//       56        id, positive label, trained-on: each u32 length (at most
//                 kMaxStringBytes) then that many bytes of UTF-8
//        …  4·2^hashBits  f32 weights, index order
//        …    32  SHA-256 of every byte before it
#include "layers/validation/text_classifier.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

namespace warden::validation {
namespace {

constexpr std::string_view kMagic = "WARDENCL";
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kFeatureScheme = 2;
constexpr uint32_t kMinHashBits = 10;
constexpr uint32_t kMaxHashBits = 24;
constexpr size_t kMaxStringBytes = 4096;
constexpr size_t kFixedHeaderBytes = 56;
constexpr size_t kDigestBytes = 32;
constexpr size_t kMaxFeatureBytes = size_t{1} << 20;

constexpr uint64_t kWordSeed = 0x243F6A8885A308D3ULL;
constexpr uint64_t kCharMultiplier = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kBigramSeed = 0xA4093822299F31D0ULL;

constexpr std::string_view kRetrain = "retrain with warden-train or restore the file shipped with warden";

// ---- feature hashing ----

constexpr std::array<bool, 256> kWordByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  return table;
}();

inline bool isWordByte(char c) { return kWordByte[static_cast<unsigned char>(c)]; }
inline bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

inline uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

// Up to eight bytes as a little-endian integer, zero above `length`, so
// hashes are the same on every host.
inline uint64_t loadLittleEndian(const char* p, size_t length) {
  uint64_t v = 0;
  std::memcpy(&v, p, length);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// `end`: where the readable bytes end; a last chunk with eight bytes
// readable is loaded whole and masked instead of copied byte by byte.
inline uint64_t wordHash(const char* p, size_t length, const char* end) {
  uint64_t hash = kWordSeed ^ length;
  for (; length > 8; p += 8, length -= 8) hash = fmix64(hash ^ loadLittleEndian(p, 8));
  const uint64_t last = end - p >= 8 ? loadLittleEndian(p, 8) & (~uint64_t{0} >> (64 - 8 * length))
                                     : loadLittleEndian(p, length);
  return fmix64(hash ^ last);
}

inline uint64_t wordHash(std::string_view in, size_t begin, size_t end) {
  return wordHash(in.data() + begin, end - begin, in.data() + in.size());
}

// Indices are gathered in a block on the stack and handed over a block at a
// time: no allocation while scoring, and the consumer can sum with
// independent accumulators.
template <class Consume>
class IndexBlock {
 public:
  IndexBlock(uint32_t hashBits, Consume& consume)
      : mask_(static_cast<uint32_t>((uint64_t{1} << hashBits) - 1)), shift_(64 - hashBits), consume_(consume) {}
  ~IndexBlock() { flush(); }
  IndexBlock(const IndexBlock&) = delete;
  IndexBlock& operator=(const IndexBlock&) = delete;

  // A well-mixed 64-bit hash: its low bits.
  void push(uint64_t hash) { pushIndex(static_cast<uint32_t>(hash) & mask_); }
  // A raw key: the high bits of key * kCharMultiplier.
  void pushKey(uint64_t key) { pushIndex(static_cast<uint32_t>((key * kCharMultiplier) >> shift_)); }

  void flush() {
    if (used_ > 0) consume_(block_.data(), used_);
    used_ = 0;
  }

 private:
  void pushIndex(uint32_t index) {
    block_[used_++] = index;
    if (used_ == block_.size()) flush();
  }

  std::array<uint32_t, 512> block_;
  size_t used_ = 0;
  uint32_t mask_;
  uint32_t shift_;
  Consume& consume_;
};

// Every feature of one view (folded, with its leet and joined views).
template <class Consume>
class ViewHasher {
 public:
  explicit ViewHasher(IndexBlock<Consume>& out) : out_(out) {}

  // `budget`: bytes of all views still to be read.
  void run(std::string_view folded, std::string_view leet, std::string_view joined, size_t& budget) {
    if (budget == 0) return;
    const size_t length = std::min(folded.size(), budget);
    budget -= length;
    folded = folded.substr(0, length);
    words(folded);
    charGrams(folded);
    if (leet.size() >= length) leetWords(folded, leet.substr(0, length));
    if (joined.size() < length) joinedWords(folded, joined);
  }

 private:
  void words(std::string_view view) {
    const char* s = view.data();
    const size_t n = view.size();
    bool havePrevious = false;
    uint64_t previous = 0;
    size_t at = 0;
    while (at < n) {
      while (at < n && !isWordByte(s[at])) ++at;
      if (at == n) break;
      const size_t begin = at;
      while (at < n && isWordByte(s[at])) ++at;
      const uint64_t hash = wordHash(view, begin, at);
      out_.push(hash);
      if (havePrevious) out_.push(fmix64(std::rotl(previous, 23) ^ hash ^ kBigramSeed));
      previous = hash;
      havePrevious = true;
    }
  }

  // Key of an n-gram: its n bytes as a little-endian integer, n in the top
  // byte; index: multiply-shift (one multiplication; n-grams are most of the
  // features).
  void charGrams(std::string_view view) {
    const char* s = view.data();
    const size_t n = view.size();
    size_t i = 0;
    for (; i + 8 <= n; ++i) {
      const uint64_t v = loadLittleEndian(s + i, 8);
      out_.pushKey((v & 0xFFFFFF) | (uint64_t{3} << 56));
      out_.pushKey((v & 0xFFFFFFFF) | (uint64_t{4} << 56));
      out_.pushKey((v & 0xFFFFFFFFFF) | (uint64_t{5} << 56));
    }
    for (; i + 3 <= n; ++i) {
      const uint64_t v = loadLittleEndian(s + i, std::min<size_t>(8, n - i));
      out_.pushKey((v & 0xFFFFFF) | (uint64_t{3} << 56));
      if (i + 4 <= n) out_.pushKey((v & 0xFFFFFFFF) | (uint64_t{4} << 56));
      if (i + 5 <= n) out_.pushKey((v & 0xFFFFFFFFFF) | (uint64_t{5} << 56));
    }
  }

  // Same length as folded; a word is taken where leetspeak changed letters of
  // a word that has letters, so plain numbers ("2023") add nothing.
  void leetWords(std::string_view folded, std::string_view leet) {
    if (std::memcmp(folded.data(), leet.data(), folded.size()) == 0) return;
    size_t at = 0;
    while (at < leet.size()) {
      while (at < leet.size() && !isWordByte(leet[at])) ++at;
      const size_t begin = at;
      while (at < leet.size() && isWordByte(leet[at])) ++at;
      if (at == begin) break;
      bool differs = false;
      bool hasLetter = false;
      for (size_t i = begin; i < at; ++i) {
        differs = differs || leet[i] != folded[i];
        hasLetter = hasLetter || isAsciiLetter(folded[i]);
      }
      if (differs && hasLetter) out_.push(wordHash(leet, begin, at));
    }
  }

  // joined is folded with separators between single letters dropped, so it is
  // a subsequence of folded: a greedy walk aligns them, and a joined word whose
  // bytes lie apart in folded was split there.
  void joinedWords(std::string_view folded, std::string_view joined) {
    size_t next = 0;  // first byte of folded not yet aligned
    size_t j = 0;
    while (j < joined.size()) {
      size_t position = 0;
      if (!isWordByte(joined[j])) {
        if (!align(folded, joined[j++], next, position)) return;
        continue;
      }
      const size_t begin = j;
      size_t first = 0;
      while (j < joined.size() && isWordByte(joined[j])) {
        if (!align(folded, joined[j], next, position)) return;
        if (j == begin) first = position;
        ++j;
      }
      if (position - first != j - 1 - begin) out_.push(wordHash(joined, begin, j));
    }
  }

  // The next byte of folded equal to c; false if there is none (the views
  // disagree; the rest of the joined words are then skipped).
  static bool align(std::string_view folded, char c, size_t& next, size_t& position) {
    while (next < folded.size() && folded[next] != c) ++next;
    if (next == folded.size()) return false;
    position = next++;
    return true;
  }

  IndexBlock<Consume>& out_;
};

// Calls consume(indices, count) for blocks of feature indices of the text.
template <class Consume>
void forEachFeatureBlock(const NormalizedText& text, uint32_t hashBits, Consume& consume) {
  IndexBlock<Consume> block(std::clamp<uint32_t>(hashBits, 1, 32), consume);
  ViewHasher<Consume> hasher(block);
  size_t budget = kMaxFeatureBytes;
  hasher.run(text.folded, text.leet, text.joined, budget);
  for (const DecodedSegment& segment : text.decoded) hasher.run(segment.folded, segment.leet, segment.joined, budget);
}

// forEachFeatureBlock with each index passed on the first time it occurs in
// the text only. A per-thread bitmap of the table's size marks what was seen
// (128 KiB for 2^20 entries); only the words touched are cleared afterwards.
// hashBits outside the file format's range is clamped into it, so indices
// always fit the bitmap.
template <class Consume>
void forEachDistinctFeatureBlock(const NormalizedText& text, uint32_t hashBits, Consume& consume) {
  thread_local std::vector<uint64_t> seen;
  thread_local std::vector<uint32_t> distinct;
  hashBits = std::clamp<uint32_t>(hashBits, kMinHashBits, kMaxHashBits);
  const size_t words = ((size_t{1} << hashBits) + 63) / 64;
  if (seen.size() < words) seen.assign(words, 0);
  distinct.clear();
  // Branch-free: whether an n-gram was seen before is a coin toss to the
  // branch predictor, and mispredictions cost more than the lookup.
  auto firstOccurrences = [&](const uint32_t* indices, size_t count) {
    const size_t before = distinct.size();
    distinct.resize(before + count);
    uint32_t* out = distinct.data() + before;
    size_t kept = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t index = indices[i];
      uint64_t& word = seen[index >> 6];
      const uint64_t bit = uint64_t{1} << (index & 63);
      out[kept] = index;
      kept += (word & bit) == 0;
      word |= bit;
    }
    distinct.resize(before + kept);
    if (kept > 0) consume(out, kept);
  };
  forEachFeatureBlock(text, hashBits, firstOccurrences);
  for (const uint32_t index : distinct) seen[index >> 6] = 0;
}

double marginOf(double bias, double sum, size_t count) {
  return bias + (count == 0 ? 0.0 : sum / std::sqrt(static_cast<double>(count)));
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// ---- model file ----

void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void putF32(std::string& out, float v) { putU32(out, std::bit_cast<uint32_t>(v)); }
void putF64(std::string& out, double v) { putU64(out, std::bit_cast<uint64_t>(v)); }
void putString(std::string& out, std::string_view s) {
  putU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

uint64_t readLittleEndian(std::string_view bytes, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

bool sha256(std::string_view bytes, std::array<unsigned char, kDigestBytes>& digest) {
  unsigned int length = 0;
  return EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) == 1 &&
         length == kDigestBytes;
}

class ModelReader {
 public:
  ModelReader(std::string_view bytes, std::string_view origin) : bytes_(bytes), origin_(origin) {}

  Result<std::shared_ptr<const TextClassifier>> read() {
    if (bytes_.size() < kMagic.size() || bytes_.substr(0, kMagic.size()) != kMagic) {
      return fail("not a warden model file (wrong magic; expected \"WARDENCL\")");
    }
    if (bytes_.size() < kFixedHeaderBytes) {
      return fail("truncated: " + std::to_string(bytes_.size()) + " bytes, shorter than the header");
    }
    const uint32_t version = static_cast<uint32_t>(readLittleEndian(bytes_, 8, 4));
    if (version != kFormatVersion) {
      return fail("format version " + std::to_string(version) + ", this warden reads version " +
                  std::to_string(kFormatVersion));
    }
    const uint32_t scheme = static_cast<uint32_t>(readLittleEndian(bytes_, 12, 4));
    if (scheme != kFeatureScheme) {
      return fail("feature scheme " + std::to_string(scheme) + ", this warden computes scheme " +
                  std::to_string(kFeatureScheme));
    }
    ClassifierInfo info;
    info.hashBits = static_cast<uint32_t>(readLittleEndian(bytes_, 16, 4));
    if (info.hashBits < kMinHashBits || info.hashBits > kMaxHashBits) {
      return fail("hashBits " + std::to_string(info.hashBits) + " out of range " + std::to_string(kMinHashBits) +
                  ".." + std::to_string(kMaxHashBits));
    }
    info.trainingRows = readLittleEndian(bytes_, 20, 8);
    info.seed = readLittleEndian(bytes_, 28, 8);
    info.threshold = std::bit_cast<double>(readLittleEndian(bytes_, 36, 8));
    const float bias = std::bit_cast<float>(static_cast<uint32_t>(readLittleEndian(bytes_, 44, 4)));
    const float scale = std::bit_cast<float>(static_cast<uint32_t>(readLittleEndian(bytes_, 48, 4)));
    const float shift = std::bit_cast<float>(static_cast<uint32_t>(readLittleEndian(bytes_, 52, 4)));
    at_ = kFixedHeaderBytes;
    for (std::string* field : {&info.id, &info.positiveLabel, &info.trainedOn}) {
      auto s = readString();
      if (!s) return s.error();
      *field = std::move(*s);
    }
    const size_t weightCount = size_t{1} << info.hashBits;
    const size_t expected = at_ + 4 * weightCount + kDigestBytes;
    if (bytes_.size() < expected) {
      return fail("truncated: " + std::to_string(bytes_.size()) + " bytes, expected " + std::to_string(expected));
    }
    if (bytes_.size() > expected) {
      return fail(std::to_string(bytes_.size() - expected) + " unexpected bytes after the checksum");
    }
    std::array<unsigned char, kDigestBytes> digest;
    if (!sha256(bytes_.substr(0, expected - kDigestBytes), digest)) return fail("OpenSSL could not compute SHA-256");
    if (std::memcmp(digest.data(), bytes_.data() + expected - kDigestBytes, kDigestBytes) != 0) {
      return fail("SHA-256 checksum mismatch (the file was altered or damaged)");
    }
    if (!std::isfinite(info.threshold) || info.threshold < 0 || info.threshold > 1) {
      return fail("threshold is not a number in [0, 1]");
    }
    if (!std::isfinite(bias) || !std::isfinite(scale) || !std::isfinite(shift)) {
      return fail("bias or calibration is not a finite number");
    }
    std::vector<float> weights(weightCount);
    for (size_t i = 0; i < weightCount; ++i) {
      weights[i] = std::bit_cast<float>(static_cast<uint32_t>(readLittleEndian(bytes_, at_ + 4 * i, 4)));
      if (!std::isfinite(weights[i])) return fail("weight " + std::to_string(i) + " is not a finite number");
    }
    return std::make_shared<const TextClassifier>(std::move(info), std::move(weights), bias, scale, shift);
  }

 private:
  Result<std::string> readString() {
    if (bytes_.size() < at_ + 4) return fail("truncated inside the metadata");
    const size_t length = readLittleEndian(bytes_, at_, 4);
    if (length > kMaxStringBytes) return fail("a metadata string claims " + std::to_string(length) + " bytes");
    if (bytes_.size() < at_ + 4 + length) return fail("truncated inside the metadata");
    std::string out(bytes_.substr(at_ + 4, length));
    at_ += 4 + length;
    return out;
  }

  Error fail(const std::string& what) const {
    return Error{"model file " + std::string(origin_) + ": " + what + "; " + std::string(kRetrain)};
  }

  std::string_view bytes_;
  std::string_view origin_;
  size_t at_ = 0;
};

}  // namespace

TextClassifier::TextClassifier(ClassifierInfo info, std::vector<float> weights, float bias, float calibrationScale,
                               float calibrationShift)
    : info_(std::move(info)),
      weights_(std::move(weights)),
      bias_(bias),
      calibrationScale_(calibrationScale),
      calibrationShift_(calibrationShift) {
  // The table size is what hashing masks to; keep the two in step.
  weights_.resize(size_t{1} << info_.hashBits, 0.0f);
}

void TextClassifier::hashFeatures(const NormalizedText& text, uint32_t hashBits, FeatureHashes& out) {
  out.indices.clear();
  auto append = [&out](const uint32_t* indices, size_t count) {
    out.indices.insert(out.indices.end(), indices, indices + count);
  };
  forEachDistinctFeatureBlock(text, hashBits, append);
}

double TextClassifier::score(const NormalizedText& text) const {
  // Reused per thread: scoring does not allocate once the vector has grown.
  thread_local FeatureHashes features;
  hashFeatures(text, info_.hashBits, features);
  return score(features);
}

double TextClassifier::score(const FeatureHashes& features) const {
  return sigmoid(calibrationScale_ * margin(features) + calibrationShift_);
}

double TextClassifier::margin(const FeatureHashes& features) const {
  // Indices hashed for a larger table are folded into this one rather than
  // read past its end.
  const uint32_t mask = static_cast<uint32_t>(weights_.size() - 1);
  const uint32_t* indices = features.indices.data();
  const size_t count = features.indices.size();
  // Four independent sums: one would make every addition wait for the last.
  double a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    a += weights_[indices[i] & mask];
    b += weights_[indices[i + 1] & mask];
    c += weights_[indices[i + 2] & mask];
    d += weights_[indices[i + 3] & mask];
  }
  for (; i < count; ++i) a += weights_[indices[i] & mask];
  return marginOf(bias_, a + b + c + d, count);
}

std::string TextClassifier::toBytes() const {
  std::string out;
  out.reserve(kFixedHeaderBytes + 3 * 4 + info_.id.size() + info_.positiveLabel.size() + info_.trainedOn.size() +
              4 * weights_.size() + kDigestBytes);
  out.append(kMagic);
  putU32(out, kFormatVersion);
  putU32(out, kFeatureScheme);
  putU32(out, info_.hashBits);
  putU64(out, info_.trainingRows);
  putU64(out, info_.seed);
  putF64(out, info_.threshold);
  putF32(out, bias_);
  putF32(out, calibrationScale_);
  putF32(out, calibrationShift_);
  putString(out, info_.id.substr(0, kMaxStringBytes));
  putString(out, info_.positiveLabel.substr(0, kMaxStringBytes));
  putString(out, info_.trainedOn.substr(0, kMaxStringBytes));
  for (const float w : weights_) putF32(out, w);
  std::array<unsigned char, kDigestBytes> digest{};
  // EVP_Digest fails only when OpenSSL itself is broken; the zero digest
  // then makes load() refuse the file instead of trusting it.
  (void)sha256(out, digest);
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

Result<std::shared_ptr<const TextClassifier>> TextClassifier::fromBytes(std::string_view bytes,
                                                                         std::string_view origin) {
  return ModelReader(bytes, origin).read();
}

Result<std::shared_ptr<const TextClassifier>> TextClassifier::load(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return Error{"model file " + name + ": " + ec.message() + "; check the path in the configuration"};
  const uintmax_t largest = kFixedHeaderBytes + 3 * (4 + kMaxStringBytes) + 4 * (uintmax_t{1} << kMaxHashBits) +
                            kDigestBytes;
  if (size > largest) {
    return Error{"model file " + name + ": " + std::to_string(size) + " bytes, larger than any model; " +
                 std::string(kRetrain)};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return errnoError("model file " + name + ": open");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
    return Error{"model file " + name + ": short read (the file changed while being read); try again"};
  }
  return fromBytes(bytes, name);
}

}  // namespace warden::validation
