// One content coding's streaming decoder: the unit content_decoding.cpp
// chains for a list such as "gzip, br". Internal to warden_http.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::http {

class CodingDecoder {
 public:
  virtual ~CodingDecoder() = default;

  // Appends what `in` decodes to onto `out`. Stops once it has appended more
  // than `room` bytes (so memory stays bounded by the caller's limit): the
  // caller treats that as the limit being exceeded. Errors name the fault.
  virtual Status decode(std::string_view in, std::string& out, size_t room) = 0;

  // The input ended: an error if the compressed stream stopped part way.
  // Zero bytes of input in total is an empty body, not a truncated one.
  virtual Status finish() = 0;
};

Result<std::unique_ptr<CodingDecoder>> makeGzipDecoder();
// zlib-wrapped (RFC 1950) or raw (RFC 1951) deflate, told apart by the
// first two bytes as browsers do: servers have sent both for decades.
Result<std::unique_ptr<CodingDecoder>> makeDeflateDecoder();
Result<std::unique_ptr<CodingDecoder>> makeBrotliDecoder();
Result<std::unique_ptr<CodingDecoder>> makeZstdDecoder();

// How much of the output space one decoder step may use: at most 64 KiB,
// and at most one byte past `room` so the caller can see an overflow.
inline size_t outputChunk(size_t room, size_t appended) {
  constexpr size_t kChunk = 64 * 1024;
  const size_t left = appended > room ? 0 : room - appended;
  return left >= kChunk ? kChunk : left + 1;
}

}  // namespace warden::http
