// gzip and deflate through zlib's inflate.
#include <zlib.h>

#include <cstdint>

#include "http/coding_decoder.h"

namespace warden::http {

namespace {

class ZlibDecoder final : public CodingDecoder {
 public:
  enum class Kind { Gzip, Deflate };

  explicit ZlibDecoder(Kind kind) : kind_(kind) {}
  ~ZlibDecoder() override {
    if (initialised_) inflateEnd(&z_);
  }
  ZlibDecoder(const ZlibDecoder&) = delete;
  ZlibDecoder& operator=(const ZlibDecoder&) = delete;

  Status init(int windowBits) {
    if (inflateInit2(&z_, windowBits) != Z_OK) return Error{std::string(name()) + ": out of memory"};
    initialised_ = true;
    return {};
  }

  Status decode(std::string_view in, std::string& out, size_t room) override {
    if (in.empty()) return {};
    if (kind_ == Kind::Deflate && !initialised_) {
      // The wrapper is told by the first two bytes; they may come apart.
      if (head_.empty() && in.size() >= 2) {
        if (Status s = init(looksZlibWrapped(in) ? MAX_WBITS : -MAX_WBITS); !s) return s;
        return inflateSome(in, out, room);
      }
      head_.append(in);
      if (head_.size() < 2) return {};
      if (Status s = init(looksZlibWrapped(head_) ? MAX_WBITS : -MAX_WBITS); !s) return s;
      const std::string head = std::move(head_);
      head_.clear();
      return inflateSome(head, out, room);
    }
    return inflateSome(in, out, room);
  }

  Status finish() override {
    if (open_ || !head_.empty()) {
      return Error{std::string(name()) + ": the body ended inside the compressed stream (truncated)"};
    }
    return {};
  }

 private:
  const char* name() const { return kind_ == Kind::Gzip ? "gzip" : "deflate"; }

  // RFC 1950: CM = 8 (deflate), a window of at most 32 KiB, and the header
  // check bits make the first two bytes a multiple of 31.
  static bool looksZlibWrapped(std::string_view head) {
    const auto cmf = static_cast<unsigned char>(head[0]);
    const auto flg = static_cast<unsigned char>(head[1]);
    return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
  }

  Status inflateSome(std::string_view in, std::string& out, size_t room) {
    if (ended_) return Error{std::string(name()) + ": data after the end of the compressed stream"};
    if (in.size() > UINT32_MAX) return Error{std::string(name()) + ": a single piece of 4 GiB or more"};
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    size_t appended = 0;
    while (true) {
      const size_t chunk = outputChunk(room, appended);
      const size_t base = out.size();
      out.resize(base + chunk);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + base);
      z_.avail_out = static_cast<uInt>(chunk);
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const size_t produced = chunk - z_.avail_out;
      out.resize(base + produced);
      appended += produced;

      if (rc == Z_STREAM_END) {
        open_ = false;
        if (kind_ == Kind::Gzip) {
          // Another member may follow (gzip files are concatenable).
          inflateReset(&z_);
        } else {
          ended_ = true;
          if (z_.avail_in > 0) return Error{"deflate: data after the end of the compressed stream"};
        }
      } else if (rc == Z_OK) {
        open_ = true;
      } else if (rc == Z_BUF_ERROR) {
        break;  // needs more input: nothing is wrong yet
      } else {
        const char* why =
            z_.msg != nullptr ? z_.msg : (rc == Z_NEED_DICT ? "needs a preset dictionary" : "corrupt data");
        return Error{std::string(name()) + ": " + why};
      }
      if (appended > room) break;
      if (z_.avail_in == 0 && produced < chunk) break;
    }
    return {};
  }

  Kind kind_;
  z_stream z_{};
  bool initialised_ = false;
  bool open_ = false;   // inside a stream (gzip: a member) that has not ended
  bool ended_ = false;  // deflate: the one stream ended
  std::string head_;    // deflate: the first byte, until the second comes
};

}  // namespace

Result<std::unique_ptr<CodingDecoder>> makeGzipDecoder() {
  auto decoder = std::make_unique<ZlibDecoder>(ZlibDecoder::Kind::Gzip);
  if (Status s = decoder->init(16 + MAX_WBITS); !s) return s.error();
  return std::unique_ptr<CodingDecoder>(std::move(decoder));
}

Result<std::unique_ptr<CodingDecoder>> makeDeflateDecoder() {
  return std::unique_ptr<CodingDecoder>(std::make_unique<ZlibDecoder>(ZlibDecoder::Kind::Deflate));
}

}  // namespace warden::http
