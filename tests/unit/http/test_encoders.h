// Encoders for content-decoding tests: real zlib, brotli and zstd output,
// made in the test rather than checked in as opaque blobs.
#pragma once

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace warden::http::test {

enum class ZlibFormat { Gzip, Zlib, Raw };

inline int windowBits(ZlibFormat format) {
  switch (format) {
    case ZlibFormat::Gzip:
      return 16 + MAX_WBITS;
    case ZlibFormat::Zlib:
      return MAX_WBITS;
    case ZlibFormat::Raw:
      return -MAX_WBITS;
  }
  return MAX_WBITS;
}

// Compresses `repeat` copies of `piece` without holding them all, so a
// 100 MB bomb costs the test only its compressed size.
inline std::string zlibEncode(std::string_view piece, ZlibFormat format, size_t repeat = 1) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, windowBits(format), 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out;
  char buffer[64 * 1024];
  for (size_t i = 0; i <= repeat; ++i) {
    const bool last = i == repeat;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = last ? 0 : static_cast<uInt>(piece.size());
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0 || (last && rc != Z_STREAM_END));
  }
  deflateEnd(&z);
  return out;
}

inline std::string gzip(std::string_view text) { return zlibEncode(text, ZlibFormat::Gzip); }

inline std::string brotli(std::string_view text, int quality = BROTLI_DEFAULT_QUALITY) {
  std::string out(BrotliEncoderMaxCompressedSize(text.size()) + 16, '\0');
  size_t size = out.size();
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, text.size(),
                             reinterpret_cast<const uint8_t*>(text.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    throw std::runtime_error("BrotliEncoderCompress");
  }
  out.resize(size);
  return out;
}

inline std::string zstd(std::string_view text, int level = 3) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const size_t size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), level);
  if (ZSTD_isError(size)) throw std::runtime_error("ZSTD_compress");
  out.resize(size);
  return out;
}

// Text that compresses like an API body: repetitive structure, varying content.
inline std::string sampleBody(size_t bytes) {
  std::string out;
  uint32_t state = 12345;
  while (out.size() < bytes) {
    state = state * 1103515245u + 12345u;
    out += "{\"index\":" + std::to_string(out.size()) + ",\"token\":\"w" + std::to_string(state % 9973) + "\"}\n";
  }
  out.resize(bytes);
  return out;
}

}  // namespace warden::http::test
