#include "http/content_decoding.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "test_encoders.h"

namespace warden::http {
namespace {

using test::brotli;
using test::gzip;
using test::sampleBody;
using test::zlibEncode;
using test::ZlibFormat;
using test::zstd;

std::string streamDecode(std::string_view coding, std::string_view encoded, size_t pieceBytes,
                         const DecodeLimits& limits = {}) {
  auto decoder = StreamDecoder::create(coding, limits);
  EXPECT_TRUE(decoder.ok()) << decoder.error().message;
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += pieceBytes) {
    auto piece = (*decoder)->feed(encoded.substr(i, pieceBytes));
    EXPECT_TRUE(piece.ok()) << piece.error().message;
    if (!piece) return out;
    out += *piece;
  }
  auto finished = (*decoder)->finish();
  EXPECT_TRUE(finished.ok()) << finished.error().message;
  return out;
}

struct Encoded {
  std::string coding;
  std::string bytes;
};

std::vector<Encoded> everyCoding(const std::string& body) {
  return {
      {"gzip", gzip(body)},
      {"x-gzip", gzip(body)},
      {"deflate", zlibEncode(body, ZlibFormat::Zlib)},
      {"deflate", zlibEncode(body, ZlibFormat::Raw)},
      {"br", brotli(body)},
      {"zstd", zstd(body)},
  };
}

TEST(ContentDecoding, DecodesEveryCoding) {
  const std::string body = sampleBody(200 * 1024);
  for (const auto& [coding, bytes] : everyCoding(body)) {
    ASSERT_LT(bytes.size(), body.size() / 2) << coding;
    auto decoded = decodeBody(coding, bytes);
    ASSERT_TRUE(decoded.ok()) << coding << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, body) << coding;
  }
}

TEST(ContentDecoding, RawAndWrappedDeflateAreBothRead) {
  const std::string body = "{\"model\":\"gpt-4o\",\"messages\":[]}";
  const std::string wrapped = zlibEncode(body, ZlibFormat::Zlib);
  const std::string raw = zlibEncode(body, ZlibFormat::Raw);
  ASSERT_NE(wrapped, raw);
  EXPECT_EQ(decodeBody("deflate", wrapped).value(), body);
  EXPECT_EQ(decodeBody("deflate", raw).value(), body);
  EXPECT_EQ(streamDecode("deflate", raw, 1), body);
  EXPECT_EQ(streamDecode("deflate", wrapped, 1), body);
}

TEST(ContentDecoding, NamesAreCaseInsensitiveAndWhitespaceTolerant) {
  const std::string body = "hello hello hello";
  EXPECT_EQ(decodeBody(" GZip\t", gzip(body)).value(), body);
  EXPECT_EQ(decodeBody("BR", brotli(body)).value(), body);
  EXPECT_EQ(decodeBody("Identity", body).value(), body);
  EXPECT_EQ(decodeBody("", body).value(), body);
}

TEST(ContentDecoding, ListsAreUndoneInReverseOrder) {
  const std::string body = sampleBody(50 * 1024);
  // "gzip, br": gzip was applied first, then br.
  const std::string gzipThenBr = brotli(gzip(body));
  EXPECT_EQ(decodeBody("gzip, br", gzipThenBr).value(), body);
  EXPECT_EQ(decodeBody("gzip,identity ,br", gzipThenBr).value(), body);
  EXPECT_FALSE(decodeBody("br, gzip", gzipThenBr).ok());

  const std::string three = zstd(zlibEncode(gzip(body), ZlibFormat::Raw));
  EXPECT_EQ(decodeBody("gzip, deflate, zstd", three).value(), body);
  EXPECT_EQ(streamDecode("gzip, deflate, zstd", three, 7), body);
}

TEST(ContentDecoding, CanDecodeOnlyKnownCodings) {
  EXPECT_TRUE(canDecode(""));
  EXPECT_TRUE(canDecode("identity"));
  EXPECT_TRUE(canDecode("gzip, x-gzip, deflate"));
  EXPECT_TRUE(canDecode("BR, Zstd"));
  EXPECT_FALSE(canDecode("compress"));
  EXPECT_FALSE(canDecode("gzip, snappy"));
  EXPECT_FALSE(canDecode("gzip br"));
  auto refused = decodeBody("compress", "abc");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("'compress' is not supported"), std::string::npos);
}

TEST(ContentDecoding, RefusesLongCodingLists) {
  EXPECT_TRUE(canDecode("gzip, gzip, gzip, gzip"));
  EXPECT_FALSE(canDecode("gzip, gzip, gzip, gzip, gzip"));
}

TEST(ContentDecoding, ConcatenatedGzipMembersAreOneBody) {
  const std::string a = sampleBody(10000);
  const std::string b = "second member";
  const std::string encoded = gzip(a) + gzip(b) + gzip("");
  EXPECT_EQ(decodeBody("gzip", encoded).value(), a + b);
  EXPECT_EQ(streamDecode("gzip", encoded, 1), a + b);
}

TEST(ContentDecoding, ConcatenatedZstdFramesAreOneBody) {
  EXPECT_EQ(decodeBody("zstd", zstd("one ") + zstd("two")).value(), "one two");
}

TEST(ContentDecoding, ZstdSkippableFramesAreSkipped) {
  const std::string skippable = std::string("\x50\x2A\x4D\x18\x03\x00\x00\x00", 8) + "abc";
  const std::string encoded = skippable + zstd("payload") + skippable;
  EXPECT_EQ(decodeBody("zstd", encoded).value(), "payload");
  EXPECT_EQ(streamDecode("zstd", encoded, 1), "payload");
}

// libzstd also reads pre-standard frames, recognised only by the bytes a call
// begins with: once "X" + a v0.6 frame decoded when split after the "X" and
// failed whole. Only RFC 8878 frames are read, however the body arrives.
TEST(ContentDecoding, ZstdLegacyFramesAreRefusedAtEverySplit) {
  const std::string legacy("\x26\xB5\x2F\xFD\x04\x58\x00\x00", 8);
  for (const std::string& body : {legacy, "X" + legacy, zstd("ok") + legacy}) {
    EXPECT_FALSE(decodeBody("zstd", body).ok());
    for (size_t split = 0; split <= body.size(); ++split) {
      auto decoder = StreamDecoder::create("zstd");
      ASSERT_TRUE(decoder.ok());
      const bool ok = (*decoder)->feed(body.substr(0, split)).ok() && (*decoder)->feed(body.substr(split)).ok() &&
                      (*decoder)->finish().ok();
      EXPECT_FALSE(ok) << "split at " << split;
    }
  }
}

TEST(ContentDecoding, EmptyBodyIsEmpty) {
  for (const char* coding : {"gzip", "deflate", "br", "zstd", "gzip, br"}) {
    auto decoded = decodeBody(coding, "");
    ASSERT_TRUE(decoded.ok()) << coding;
    EXPECT_EQ(*decoded, "");
  }
}

TEST(ContentDecoding, TruncatedStreamsFail) {
  const std::string body = sampleBody(30000);
  for (const auto& [coding, bytes] : everyCoding(body)) {
    for (size_t cut : {size_t{1}, size_t{4}, bytes.size() / 2, bytes.size() - 1}) {
      const std::string truncated = bytes.substr(0, bytes.size() - cut);
      auto decoded = decodeBody(coding, truncated);
      ASSERT_FALSE(decoded.ok()) << coding << " cut " << cut;
      EXPECT_NE(decoded.error().message.find("truncated"), std::string::npos) << decoded.error().message;

      auto decoder = StreamDecoder::create(coding);
      ASSERT_TRUE(decoder.ok());
      ASSERT_TRUE((*decoder)->feed(truncated).ok());
      EXPECT_FALSE((*decoder)->finish().ok()) << coding << " cut " << cut;
    }
  }
  // One byte of a raw deflate stream is not enough to tell the wrapper.
  EXPECT_FALSE(decodeBody("deflate", zlibEncode(body, ZlibFormat::Raw).substr(0, 1)).ok());
}

TEST(ContentDecoding, CorruptAndTrailingDataFail) {
  const std::string body = sampleBody(30000);
  for (const auto& [coding, bytes] : everyCoding(body)) {
    EXPECT_FALSE(decodeBody(coding, bytes + "garbage").ok()) << coding;
  }
  // gzip and zlib carry checksums, so any flipped bit is caught.
  for (const auto& [coding, bytes] :
       {Encoded{"gzip", gzip(body)}, Encoded{"deflate", zlibEncode(body, ZlibFormat::Zlib)}}) {
    for (size_t at : {size_t{0}, bytes.size() / 2, bytes.size() - 1}) {
      std::string corrupt = bytes;
      corrupt[at] = static_cast<char>(corrupt[at] ^ 0x10);
      EXPECT_FALSE(decodeBody(coding, corrupt).ok()) << coding << " at " << at;
    }
  }
  EXPECT_FALSE(decodeBody("gzip", "this is not gzip").ok());
  EXPECT_FALSE(decodeBody("br", "this is not brotli").ok());
  EXPECT_FALSE(decodeBody("zstd", "this is not zstd").ok());
}

TEST(ContentDecoding, StreamDecoderFedByteByByteEqualsDecodeBody) {
  const std::string body = sampleBody(40 * 1024);
  auto cases = everyCoding(body);
  cases.push_back({"gzip, br", brotli(gzip(body))});
  cases.push_back({"zstd, deflate", zlibEncode(zstd(body), ZlibFormat::Zlib)});
  for (const auto& [coding, bytes] : cases) {
    auto whole = decodeBody(coding, bytes);
    ASSERT_TRUE(whole.ok()) << coding;
    EXPECT_EQ(streamDecode(coding, bytes, 1), *whole) << coding;
    EXPECT_EQ(streamDecode(coding, bytes, 333), *whole) << coding;
  }
}

TEST(ContentDecoding, FailedStreamStaysFailed) {
  auto decoder = StreamDecoder::create("gzip");
  ASSERT_TRUE(decoder.ok());
  EXPECT_FALSE((*decoder)->feed("not gzip at all").ok());
  EXPECT_FALSE((*decoder)->feed(gzip("fine")).ok());
  EXPECT_FALSE((*decoder)->finish().ok());
}

size_t peakRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Restarts the peak at the current size, so the peak afterwards is this test's.
void resetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

TEST(ContentDecoding, GzipBombFailsFastWithBoundedMemory) {
  constexpr size_t kMiB = 1024 * 1024;
  const std::string zeros(kMiB, '\0');
  const std::string bomb = zlibEncode(zeros, ZlibFormat::Gzip, 100);  // 100 MiB of zeros
  ASSERT_LT(bomb.size(), 200 * 1024u);

  // Default limits: stopped by the ratio long before the 100 MiB.
  const auto start = std::chrono::steady_clock::now();
  auto decoded = decodeBody("gzip", bomb);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("decompression bomb"), std::string::npos) << decoded.error().message;
  EXPECT_LT(elapsed, std::chrono::seconds(3));

  // A size limit below the ratio's: stopped at the size, memory near it.
  resetPeakRss();
  const size_t before = peakRssBytes();
  DecodeLimits limits;
  limits.maxOutputBytes = 4 * kMiB;
  limits.maxRatio = 1000000;
  decoded = decodeBody("gzip", bomb, limits);
  const size_t growth = peakRssBytes() - before;
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("4194304-byte limit"), std::string::npos) << decoded.error().message;
  if (before > 0) {
    EXPECT_LT(growth, 32 * kMiB);
  }

  // Streamed in pieces, decoding stops within the ratio of what arrived.
  auto decoder = StreamDecoder::create("gzip");
  ASSERT_TRUE(decoder.ok());
  size_t fed = 0;
  size_t out = 0;
  bool failed = false;
  for (size_t i = 0; i < bomb.size() && !failed; i += 4096) {
    fed += std::min<size_t>(4096, bomb.size() - i);
    auto piece = (*decoder)->feed(std::string_view(bomb).substr(i, 4096));
    if (!piece) {
      failed = true;
      break;
    }
    out += piece->size();
    EXPECT_LE(out, 200 * fed);
  }
  EXPECT_TRUE(failed);
  EXPECT_LT(fed, bomb.size() / 4);
}

TEST(ContentDecoding, BrotliAndZstdBombsFail) {
  const std::string zeros(16 * 1024 * 1024, '\0');
  for (const auto& [coding, bytes] : {Encoded{"br", brotli(zeros, 5)}, Encoded{"zstd", zstd(zeros, 19)}}) {
    ASSERT_LT(bytes.size() * 200, zeros.size()) << coding;
    auto decoded = decodeBody(coding, bytes);
    ASSERT_FALSE(decoded.ok()) << coding;
    EXPECT_NE(decoded.error().message.find("decompression bomb"), std::string::npos) << decoded.error().message;
  }
}

TEST(ContentDecoding, RatioAndSizeLimitsAreExact) {
  const std::string body(100000, 'a');
  const std::string encoded = gzip(body);
  DecodeLimits limits;
  limits.maxRatio = body.size() / encoded.size() + 1;
  EXPECT_TRUE(decodeBody("gzip", encoded, limits).ok());
  limits.maxRatio = body.size() / encoded.size() - 1;
  EXPECT_FALSE(decodeBody("gzip", encoded, limits).ok());

  limits.maxRatio = 1000000;
  limits.maxOutputBytes = body.size();
  EXPECT_TRUE(decodeBody("gzip", encoded, limits).ok());
  limits.maxOutputBytes = body.size() - 1;
  auto over = decodeBody("gzip", encoded, limits);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("99999-byte limit"), std::string::npos) << over.error().message;
}

}  // namespace
}  // namespace warden::http
