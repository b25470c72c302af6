// br through libbrotlidec.
#include <brotli/decode.h>

#include "http/coding_decoder.h"

namespace warden::http {

namespace {

class BrotliDecoder final : public CodingDecoder {
 public:
  explicit BrotliDecoder(BrotliDecoderState* state) : state_(state) {}
  ~BrotliDecoder() override { BrotliDecoderDestroyInstance(state_); }
  BrotliDecoder(const BrotliDecoder&) = delete;
  BrotliDecoder& operator=(const BrotliDecoder&) = delete;

  Status decode(std::string_view in, std::string& out, size_t room) override {
    if (in.empty()) return {};
    if (done_) return Error{"br: data after the end of the compressed stream"};
    started_ = true;
    size_t availIn = in.size();
    auto nextIn = reinterpret_cast<const uint8_t*>(in.data());
    size_t appended = 0;
    while (true) {
      const size_t chunk = outputChunk(room, appended);
      const size_t base = out.size();
      out.resize(base + chunk);
      size_t availOut = chunk;
      auto nextOut = reinterpret_cast<uint8_t*>(out.data() + base);
      const BrotliDecoderResult rc =
          BrotliDecoderDecompressStream(state_, &availIn, &nextIn, &availOut, &nextOut, nullptr);
      const size_t produced = chunk - availOut;
      out.resize(base + produced);
      appended += produced;

      switch (rc) {
        case BROTLI_DECODER_RESULT_ERROR:
          return Error{std::string("br: ") + BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_))};
        case BROTLI_DECODER_RESULT_SUCCESS:
          done_ = true;
          if (availIn > 0) return Error{"br: data after the end of the compressed stream"};
          return {};
        case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
          return {};
        case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
          if (appended > room) return {};
          break;
      }
    }
  }

  Status finish() override {
    if (started_ && !done_) return Error{"br: the body ended inside the compressed stream (truncated)"};
    return {};
  }

 private:
  BrotliDecoderState* state_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<CodingDecoder>> makeBrotliDecoder() {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (state == nullptr) return Error{"br: out of memory"};
  return std::unique_ptr<CodingDecoder>(std::make_unique<BrotliDecoder>(state));
}

}  // namespace warden::http
