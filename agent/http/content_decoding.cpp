#include "http/content_decoding.h"

#include <limits>
#include <vector>

#include "http/coding_decoder.h"

namespace warden::http {

namespace {

enum class Coding { Gzip, Deflate, Brotli, Zstd };

// Real servers apply one coding, rarely two; a long list is only a way to
// make us allocate a decoder (and its window) per entry.
constexpr size_t kMaxCodings = 4;

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The codings in the order they were applied (the header's order);
// "identity" and empty list elements mean nothing.
Result<std::vector<Coding>> parseCodings(std::string_view header) {
  std::vector<Coding> codings;
  while (true) {
    const size_t comma = header.find(',');
    const std::string token = lowered(trimmed(header.substr(0, comma)));
    if (token == "gzip" || token == "x-gzip") {
      codings.push_back(Coding::Gzip);
    } else if (token == "deflate") {
      codings.push_back(Coding::Deflate);
    } else if (token == "br") {
      codings.push_back(Coding::Brotli);
    } else if (token == "zstd") {
      codings.push_back(Coding::Zstd);
    } else if (!token.empty() && token != "identity") {
      return Error{"Content-Encoding '" + token + "' is not supported (gzip, x-gzip, deflate, br, zstd, identity are)"};
    }
    if (codings.size() > kMaxCodings) {
      return Error{"Content-Encoding lists more than " + std::to_string(kMaxCodings) + " codings"};
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return codings;
}

Result<std::unique_ptr<CodingDecoder>> makeDecoder(Coding coding) {
  switch (coding) {
    case Coding::Gzip:
      return makeGzipDecoder();
    case Coding::Deflate:
      return makeDeflateDecoder();
    case Coding::Brotli:
      return makeBrotliDecoder();
    case Coding::Zstd:
      return makeZstdDecoder();
  }
  return Error{"unknown content coding"};
}

size_t saturatingProduct(size_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) return std::numeric_limits<size_t>::max();
  return static_cast<size_t>(a * b);
}

// Runs the codings last-applied first, each stage's output feeding the next.
class ChainDecoder final : public StreamDecoder {
 public:
  struct Stage {
    std::unique_ptr<CodingDecoder> decoder;
    size_t produced = 0;
  };

  ChainDecoder(std::vector<Stage> stages, const DecodeLimits& limits) : stages_(std::move(stages)), limits_(limits) {}

  Result<std::string> feed(std::string_view encoded) override {
    if (failed_) return Error{"content decoding already failed on an earlier piece"};
    encodedBytes_ += encoded.size();
    const size_t cap = outputCap();
    std::string buffers[2];
    std::string_view in = encoded;
    for (size_t i = 0; i < stages_.size(); ++i) {
      Stage& stage = stages_[i];
      std::string& out = buffers[i % 2];
      out.clear();
      // Every stage is held to the final limit: an inner stage's output is
      // still compressed, so a legitimate body never comes near it there.
      const size_t room = cap - std::min(cap, stage.produced);
      if (Status s = stage.decoder->decode(in, out, room); !s) return fail(s.error());
      stage.produced += out.size();
      if (stage.produced > cap) return fail(limitError(cap));
      in = out;
    }
    if (stages_.empty()) return std::string(encoded);
    return std::move(buffers[(stages_.size() - 1) % 2]);
  }

  Result<void> finish() override {
    if (failed_) return Error{"content decoding already failed on an earlier piece"};
    for (Stage& stage : stages_) {
      if (Status s = stage.decoder->finish(); !s) return fail(s.error());
    }
    return {};
  }

 private:
  size_t outputCap() const {
    return std::min(limits_.maxOutputBytes, saturatingProduct(limits_.maxRatio, encodedBytes_));
  }

  Error limitError(size_t cap) const {
    if (cap == limits_.maxOutputBytes) {
      return Error{"decoded body exceeds the " + std::to_string(cap) + "-byte limit"};
    }
    return Error{"decoded body exceeds " + std::to_string(limits_.maxRatio) + " times its " +
                 std::to_string(encodedBytes_) + " encoded bytes (a likely decompression bomb)"};
  }

  Error fail(const Error& error) {
    failed_ = true;
    // Decoders hold windows of up to 8 MiB: a failed body keeps none.
    stages_.clear();
    return error.wrap("content decoding");
  }

  std::vector<Stage> stages_;  // decoding order: the last coding applied first
  DecodeLimits limits_;
  uint64_t encodedBytes_ = 0;
  bool failed_ = false;
};

}  // namespace

bool canDecode(std::string_view contentEncoding) { return parseCodings(contentEncoding).ok(); }

Result<std::unique_ptr<StreamDecoder>> StreamDecoder::create(std::string_view contentEncoding,
                                                             const DecodeLimits& limits) {
  auto codings = parseCodings(contentEncoding);
  if (!codings) return codings.error();
  std::vector<ChainDecoder::Stage> stages;
  for (auto it = codings->rbegin(); it != codings->rend(); ++it) {
    auto decoder = makeDecoder(*it);
    if (!decoder) return decoder.error();
    stages.push_back(ChainDecoder::Stage{std::move(decoder.value())});
  }
  return std::unique_ptr<StreamDecoder>(std::make_unique<ChainDecoder>(std::move(stages), limits));
}

Result<std::string> decodeBody(std::string_view contentEncoding, std::string_view encoded, const DecodeLimits& limits) {
  auto decoder = StreamDecoder::create(contentEncoding, limits);
  if (!decoder) return decoder.error();
  // One piece: the ratio is measured against the whole body at once.
  auto decoded = (*decoder)->feed(encoded);
  if (!decoded) return decoded.error();
  if (Status s = (*decoder)->finish(); !s) return s.error();
  return decoded;
}

}  // namespace warden::http
