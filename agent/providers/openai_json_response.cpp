// A whole (non-streamed) OpenAI response body: buffered, then read at
// finish().
#include "providers/framed_response_reader.h"
#include "providers/openai_response.h"

namespace warden::providers::openai {
namespace {

class JsonResponseReader final : public FramedResponseReader {
 public:
  // Embedding replies for large batches run to tens of megabytes; beyond
  // 64 MiB the body is relayed but not read.
  JsonResponseReader(Operation operation, unsigned status)
      : FramedResponseReader(Framing::Json, status, {.maxBodyBytes = size_t{64} << 20}), operation_(operation) {}

 private:
  void onBody(std::string_view text) override {
    // The document owns the values read below: it lives to the end.
    const auto parsed = parseDocument(text, "response body");
    if (!parsed) return;
    const JsonValue body = parsed->root();
    if (auto error = errorMessageOf(body, errorStatus())) {
      response_.errorMessage = std::move(error);
    } else if (errorStatus()) {
      statusError();
    }
    if (!body.isObject()) {
      if (!errorStatus()) fail("response body: expected a JSON object");
      return;
    }
    read(body);
    chargeWhole();
  }

  void read(JsonValue body) {
    switch (operation_) {
      case Operation::ChatCompletions:
        readChatCompletion(body, response_);
        return;
      case Operation::Completions:
        readTextCompletion(body, response_);
        return;
      case Operation::Responses: {
        const Cursor root;
        readResponseObject(body, &root, response_);
        return;
      }
      default:
        readResponseHeader(body, response_);
        return;
    }
  }

  Operation operation_;
};

}  // namespace

std::unique_ptr<ResponseReader> makeJsonReader(Operation operation, unsigned status) {
  return std::make_unique<JsonResponseReader>(operation, status);
}

}  // namespace warden::providers::openai
