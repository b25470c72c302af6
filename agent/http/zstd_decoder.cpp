// zstd through libzstd.
#include <zstd.h>

#include <algorithm>

#include "http/coding_decoder.h"

namespace warden::http {

namespace {

// RFC 9659: HTTP decoders need not accept windows above 8 MiB. Without this
// cap a frame could make libzstd allocate its 128 MiB default maximum.
constexpr int kWindowLogMax = 23;

constexpr size_t kMagicBytes = 4;

// RFC 8878 frames begin with 28 B5 2F FD, skippable ones with 5? 2A 4D 18.
bool isFrameStart(std::string_view magic) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(magic[i]); };
  if (byte(0) == 0x28 && byte(1) == 0xB5 && byte(2) == 0x2F && byte(3) == 0xFD) return true;
  return (byte(0) & 0xF0) == 0x50 && byte(1) == 0x2A && byte(2) == 0x4D && byte(3) == 0x18;
}

class ZstdDecoder final : public CodingDecoder {
 public:
  explicit ZstdDecoder(ZSTD_DCtx* ctx) : ctx_(ctx) {}
  ~ZstdDecoder() override { ZSTD_freeDCtx(ctx_); }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  Status decode(std::string_view in, std::string& out, size_t room) override {
    size_t appended = 0;
    while (!in.empty() && appended <= room) {
      if (!frameOpen_) {
        // libzstd also reads pre-standard "legacy" frames, but recognises
        // them by whatever bytes one call's input begins with: the same body
        // split differently would decode differently. So each frame's magic
        // is checked here and handed over whole, at the start of a call.
        const size_t take = std::min(kMagicBytes - magic_.size(), in.size());
        magic_.append(in.substr(0, take));
        in.remove_prefix(take);
        if (magic_.size() < kMagicBytes) return {};
        if (!isFrameStart(magic_)) return Error{"zstd: not a Zstandard frame (RFC 8878)"};
        frameOpen_ = true;
        std::string_view magic = magic_;
        const Status s = decompress(magic, out, room, appended);
        magic_.clear();
        if (!s) return s;
      }
      if (Status s = decompress(in, out, room, appended); !s) return s;
    }
    return {};
  }

  Status finish() override {
    if (frameOpen_ || !magic_.empty()) {
      return Error{"zstd: the body ended inside the compressed stream (truncated)"};
    }
    return {};
  }

 private:
  // Decodes from `in` until it is used up, the frame ends (the next one's
  // magic is then checked first) or more than `room` bytes are out.
  Status decompress(std::string_view& in, std::string& out, size_t room, size_t& appended) {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    while (true) {
      const size_t chunk = outputChunk(room, appended);
      const size_t base = out.size();
      out.resize(base + chunk);
      ZSTD_outBuffer output{out.data() + base, chunk, 0};
      const size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
      out.resize(base + output.pos);
      appended += output.pos;
      if (ZSTD_isError(rc)) return Error{std::string("zstd: ") + ZSTD_getErrorName(rc)};
      if (rc == 0) {
        frameOpen_ = false;  // decoded and flushed
        break;
      }
      if (appended > room) break;
      if (input.pos == input.size && output.pos < output.size) break;
    }
    in.remove_prefix(input.pos);
    return {};
  }

  ZSTD_DCtx* ctx_;
  bool frameOpen_ = false;
  std::string magic_;  // the start of the next frame, until it is whole
};

}  // namespace

Result<std::unique_ptr<CodingDecoder>> makeZstdDecoder() {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (ctx == nullptr) return Error{"zstd: out of memory"};
  if (ZSTD_isError(ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, kWindowLogMax))) {
    ZSTD_freeDCtx(ctx);
    return Error{"zstd: cannot limit the window size"};
  }
  return std::unique_ptr<CodingDecoder>(std::make_unique<ZstdDecoder>(ctx));
}

}  // namespace warden::http
