// libFuzzer target: a compressed body from an upstream or a client, decoded
// with each coding we accept, whole and streamed in two pieces. Decoding
// must stay within its limits and not depend on how the bytes arrived.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/content_decoding.h"

namespace {

using warden::http::DecodeLimits;
using warden::http::StreamDecoder;

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kCodings[] = {"gzip", "deflate", "br", "zstd", "identity", "gzip, br", "br, zstd"};

// The same bytes in two pieces: what comes out, or that it failed.
bool streamed(std::string_view coding, std::string_view encoded, size_t split, const DecodeLimits& limits,
              std::string& out) {
  auto decoder = StreamDecoder::create(coding, limits);
  check(decoder.ok());
  for (auto piece : {encoded.substr(0, split), encoded.substr(split)}) {
    auto decoded = (*decoder)->feed(piece);
    if (!decoded) return false;
    out += *decoded;
  }
  return (*decoder)->finish().ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view coding = kCodings[data[0] % std::size(kCodings)];
  const std::string_view encoded(reinterpret_cast<const char*>(data) + 1, size - 1);
  DecodeLimits limits;
  limits.maxOutputBytes = 1024 * 1024;  // keeps each run fast; the bound is what is tested
  limits.maxRatio = 1000;

  const auto whole = warden::http::decodeBody(coding, encoded, limits);
  if (whole) {
    if (coding != "identity") {
      check(whole->size() <= limits.maxOutputBytes);
      check(whole->size() <= limits.maxRatio * encoded.size());
    } else {
      check(*whole == encoded);
    }
  }

  // Streamed, the ratio is judged on the bytes so far, so a stream may stop
  // earlier than the whole body would; when it completes it agrees.
  const size_t split = encoded.size() * (data[0] / std::size(kCodings)) / (255 / std::size(kCodings));
  std::string out;
  if (streamed(coding, encoded, std::min(split, encoded.size()), limits, out)) {
    check(whole.ok() && out == *whole);
  } else if (whole) {
    check(out.size() <= whole->size() && std::string_view(*whole).starts_with(out));
  }
  return 0;
}
