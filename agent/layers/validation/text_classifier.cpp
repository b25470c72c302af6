// Features (feature scheme 3), shared by scoring and training. Each view is
// read as bytes: the main text's leet view and each decoded segment's leet
// view (decoded base64/hex/rot13/tag text is scored like the text itself),
// with at most kMaxFeatureBytes of all of them together, so the work per text
// is linear and bounded. The leet view is the folded text (NFKC, invisibles
// dropped, confusables folded, lower case) with leetspeak read as letters.
// Its spaces are dropped, and the features are its character 3-, 4-, 5- and
// 6-grams at every byte (punctuation included). Without spaces, "i g n o r e
// all" has the n-grams of "ignore all", and "1gn0r3" those of "ignore", so
// split-letter and leetspeak text is scored like the plain text.
// Scheme 2 also had word unigrams and bigrams; out of fold they added
// nothing measurable (ROC AUC 0.9648 with, 0.9635 without, recall equal at
// the threshold) and were what split-letter text changed.
// Hash (stable: no std::hash, little-endian on every host): key = the n
// bytes as a little-endian integer | n << 56; index = the high hashBits bits
// of key * kCharMultiplier (multiply-shift). Features are present or not: an
// index counts once however often it occurs (scheme 1 counted occurrences,
// and a harmless paragraph repeated thirty times scored as an attack). With N
// distinct indices, margin = bias + sum(weight[index]) / sqrt(N);
// score = 1 / (1 + exp(-(scale * margin + shift))) (Platt scaling). A text
// longer than two blocks of kFeatureBlockBytes n-gram positions is scored on
// each two consecutive blocks and gets the highest margin (margin()).
//
// Model file (format version 1), all integers and floats little-endian:
//   offset  size  field
//        0     8  magic "WARDENCL"
//        8     4  u32 format version (1)
//       12     4  u32 feature scheme (3, above)
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

#include "layers/validation/leet_view.h"
#include "layers/validation/window_margins.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>

namespace warden::validation {
namespace {

constexpr std::string_view kMagic = "WARDENCL";
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kFeatureScheme = 3;
constexpr uint32_t kMinHashBits = 10;
constexpr uint32_t kMaxHashBits = 24;
constexpr size_t kMaxStringBytes = 4096;
constexpr size_t kFixedHeaderBytes = 56;
constexpr size_t kDigestBytes = 32;
constexpr size_t kMaxFeatureBytes = size_t{1} << 20;
constexpr size_t kGramsPerByte = 4;  // 3-, 4-, 5- and 6-grams
// Starting positions per block of features (FeatureHashes, margin()).
constexpr size_t kFeatureBlockBytes = 1024;

constexpr uint64_t kCharMultiplier = 0x9E3779B97F4A7C15ULL;

constexpr std::string_view kRetrain = "retrain with warden-train or restore the file shipped with warden";

// ---- feature hashing ----

// Up to eight bytes as a little-endian integer, zero above `length`, so
// hashes are the same on every host.
inline uint64_t loadLittleEndian(const char* p, size_t length) {
  uint64_t v = 0;
  std::memcpy(&v, p, length);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// Collects a text's distinct feature indices, block by block (FeatureHashes).
// Two per-thread bitmaps of the table's size (32 KiB each for 2^18 entries)
// mark what the current block and the one before it have; only the words
// touched are cleared. hashBits outside the file format's range is clamped
// into it, so indices always fit the bitmaps.
class DistinctIndices {
 public:
  // `most`: at most this many pushKey() calls will follow.
  DistinctIndices(uint32_t hashBits, size_t most, FeatureHashes& out) : shift_(64 - hashBits), out_(out) {
    const size_t words = ((size_t{1} << hashBits) + 63) / 64;
    for (std::vector<uint64_t>& bitmap : bitmaps()) {
      if (bitmap.size() < words) bitmap.assign(words, 0);
    }
    Scratch& scratch = Scratch::mine();
    if (scratch.size < most) {
      // Not a vector: resizing one would zero every entry on every call.
      scratch.data = std::make_unique_for_overwrite<uint32_t[]>(most);
      scratch.size = most;
    }
    indices_ = scratch.data.get();
    out_.blockEnds.clear();
    out_.blockShared.clear();
  }
  // Leaves both bitmaps clear, also when hashing was cut short by an
  // exception; allocates nothing.
  ~DistinctIndices() {
    clear(current(), blockBegin_, used_);
    clear(previous(), previousBegin_, blockBegin_);
  }
  DistinctIndices(const DistinctIndices&) = delete;
  DistinctIndices& operator=(const DistinctIndices&) = delete;

  // A raw key: the high bits of key * kCharMultiplier. Branch-free: whether
  // an n-gram was seen before is a coin toss to the branch predictor, and
  // mispredictions cost more than the write.
  void pushKey(uint64_t key) {
    const auto index = static_cast<uint32_t>((key * kCharMultiplier) >> shift_);
    uint64_t& word = current()[index >> 6];
    const uint64_t bit = uint64_t{1} << (index & 63);
    indices_[used_] = index;
    used_ += (word & bit) == 0;
    word |= bit;
  }

  // Closes the last block and hands the indices over.
  void finish() {
    endBlock();
    out_.indices.assign(indices_, indices_ + used_);
  }

  // Closes the block: its indices that the block before it has go first
  // (FeatureHashes::blockShared); then the current marks become the previous.
  void endBlock() {
    if (used_ == blockBegin_) return;
    uint32_t* first = indices_ + blockBegin_;
    uint32_t* last = indices_ + used_;
    const std::vector<uint64_t>& before = previous();
    // The first block has none before it (most texts are one block).
    uint32_t* sharedEnd = out_.blockEnds.empty() ? first : std::partition(first, last, [&before](uint32_t index) {
      return (before[index >> 6] >> (index & 63)) & 1;
    });
    out_.blockShared.push_back(static_cast<uint32_t>(sharedEnd - first));
    out_.blockEnds.push_back(static_cast<uint32_t>(used_));
    clear(previous(), previousBegin_, blockBegin_);
    currentIsFirst_ = !currentIsFirst_;
    previousBegin_ = blockBegin_;
    blockBegin_ = used_;
  }

 private:
  struct Scratch {
    std::unique_ptr<uint32_t[]> data;
    size_t size = 0;
    static Scratch& mine() {
      thread_local Scratch scratch;
      return scratch;
    }
  };

  static std::array<std::vector<uint64_t>, 2>& bitmaps() {
    thread_local std::array<std::vector<uint64_t>, 2> pair;
    return pair;
  }
  std::vector<uint64_t>& current() { return bitmaps()[currentIsFirst_ ? 0 : 1]; }
  std::vector<uint64_t>& previous() { return bitmaps()[currentIsFirst_ ? 1 : 0]; }

  void clear(std::vector<uint64_t>& bitmap, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) bitmap[indices_[i] >> 6] = 0;
  }

  uint32_t shift_;
  FeatureHashes& out_;
  uint32_t* indices_ = nullptr;  // the thread's scratch, copied to out_ at the end
  size_t used_ = 0;
  size_t blockBegin_ = 0;     // first index of the current block
  size_t previousBegin_ = 0;  // first index of the block before it
  bool currentIsFirst_ = true;
};

// Every feature of the views: the n-grams of each leet view without spaces,
// cut into blocks of kFeatureBlockBytes starting positions (an n-gram belongs
// to the block it starts in; one never spans two views).
class ViewHasher {
 public:
  explicit ViewHasher(DistinctIndices& out) : out_(out) {}

  // `budget`: bytes of all views still to be read.
  void run(std::string_view leet, size_t& budget) {
    if (budget == 0) return;
    const size_t length = std::min(leet.size(), budget);
    budget -= length;
    const std::string_view view = withoutSpaces(leet.substr(0, length));
    for (size_t at = 0; at < view.size();) {
      if (filled_ == kFeatureBlockBytes) {
        out_.endBlock();
        filled_ = 0;
      }
      const size_t take = std::min(view.size() - at, kFeatureBlockBytes - filled_);
      charGrams(view, at, at + take);
      filled_ += take;
      at += take;
    }
  }

 private:
  // The folded views have single spaces only (runs are collapsed). Each byte
  // is read through the leet table again: a no-op on a leet view, and the
  // alternate readings (alternate_readings.h), whose leet view is their folded
  // text, get the same reading as the text they come from. The buffer is the
  // thread's, so scoring does not allocate once it has grown.
  static std::string_view withoutSpaces(std::string_view view) {
    thread_local std::string squeezed;
    squeezed.clear();
    squeezed.reserve(view.size());
    for (const char c : view) {
      if (c != ' ') squeezed.push_back(kLeetTable[static_cast<unsigned char>(c)]);
    }
    return squeezed;
  }

  // The n-grams starting at [from, to). Key of an n-gram: its n bytes as a
  // little-endian integer, n in the top byte; index: multiply-shift (one
  // multiplication per feature).
  void charGrams(std::string_view view, size_t from, size_t to) {
    const char* s = view.data();
    const size_t n = view.size();
    size_t i = from;
    for (; i < to && i + 8 <= n; ++i) {
      const uint64_t v = loadLittleEndian(s + i, 8);
      out_.pushKey((v & 0xFFFFFF) | (uint64_t{3} << 56));
      out_.pushKey((v & 0xFFFFFFFF) | (uint64_t{4} << 56));
      out_.pushKey((v & 0xFFFFFFFFFF) | (uint64_t{5} << 56));
      out_.pushKey((v & 0xFFFFFFFFFFFF) | (uint64_t{6} << 56));
    }
    for (; i < to && i + 3 <= n; ++i) {
      const uint64_t v = loadLittleEndian(s + i, std::min<size_t>(8, n - i));
      out_.pushKey((v & 0xFFFFFF) | (uint64_t{3} << 56));
      if (i + 4 <= n) out_.pushKey((v & 0xFFFFFFFF) | (uint64_t{4} << 56));
      if (i + 5 <= n) out_.pushKey((v & 0xFFFFFFFFFF) | (uint64_t{5} << 56));
      if (i + 6 <= n) out_.pushKey((v & 0xFFFFFFFFFFFF) | (uint64_t{6} << 56));
    }
  }

  DistinctIndices& out_;
  size_t filled_ = 0;  // starting positions in the current block
};

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
  // Four n-grams at most per byte read.
  size_t bytes = text.leet.size();
  for (const DecodedSegment& segment : text.decoded) bytes += segment.leet.size();
  DistinctIndices indices(std::clamp<uint32_t>(hashBits, kMinHashBits, kMaxHashBits),
                          kGramsPerByte * std::min(bytes, kMaxFeatureBytes), out);
  ViewHasher hasher(indices);
  size_t budget = kMaxFeatureBytes;
  hasher.run(text.leet, budget);
  for (const DecodedSegment& segment : text.decoded) hasher.run(segment.leet, budget);
  indices.finish();
}

double TextClassifier::score(const NormalizedText& text) const {
  // Reused per thread: scoring does not allocate once the vector has grown.
  thread_local FeatureHashes features;
  hashFeatures(text, info_.hashBits, features);
  return score(features);
}

double TextClassifier::score(const FeatureHashes& features) const { return probabilityOf(margin(features)); }

double TextClassifier::probabilityOf(double margin) const {
  return sigmoid(calibrationScale_ * margin + calibrationShift_);
}

double TextClassifier::margin(const FeatureHashes& features) const {
  // Indices hashed for a larger table are folded into this one rather than
  // read past its end.
  const auto mask = static_cast<uint32_t>(weights_.size() - 1);
  return detail::bestWindowMargins<1>(features, {bias_}, [&](const uint32_t* indices, size_t count) {
    return detail::interleavedSums<1>(weights_.data(), mask, indices, count);
  })[0];
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
