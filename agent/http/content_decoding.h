// Decodes a body's Content-Encoding (gzip, deflate, br, zstd, or a list of
// them applied in order) for inspection only: the relay keeps forwarding the
// original bytes unless a layer changes the body.
//
// Decoding is bounded: output beyond `maxOutputBytes` or a compression ratio
// beyond `maxRatio` stops it with an error (a zip bomb costs us nothing but
// the bytes we already hold).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::http {

struct DecodeLimits {
  size_t maxOutputBytes = 32 * 1024 * 1024;
  size_t maxRatio = 200;  // decoded bytes per encoded byte, over the whole body
};

// Whether every coding in the header value is one we decode ("identity" and
// an empty value included). Case-insensitive, whitespace tolerant.
bool canDecode(std::string_view contentEncoding);

// Decodes a whole body.
Result<std::string> decodeBody(std::string_view contentEncoding, std::string_view encoded,
                               const DecodeLimits& limits = {});

// Decodes a body as it streams (a compressed event stream): feed() returns
// the bytes decoded so far from this piece.
class StreamDecoder {
 public:
  static Result<std::unique_ptr<StreamDecoder>> create(std::string_view contentEncoding,
                                                       const DecodeLimits& limits = {});
  virtual ~StreamDecoder() = default;
  virtual Result<std::string> feed(std::string_view encoded) = 0;
  // The body ended: error if the compressed stream was truncated.
  virtual Result<void> finish() = 0;
};

}  // namespace warden::http
