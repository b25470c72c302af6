// A whole (non-streamed) OpenAI response body: buffered, then read at
// finish().
#include "providers/openai_response.h"

namespace warden::providers::openai {
namespace {

// Embedding replies for large batches run to tens of megabytes; beyond this
// the body is relayed but not read.
constexpr size_t kMaxBodyBytes = size_t{64} * 1024 * 1024;

class JsonResponseReader final : public ResponseReader {
 public:
  JsonResponseReader(Operation operation, unsigned status) : operation_(operation), status_(status) {}

  void feed(std::string_view bytes) override {
    if (failed_ || finished_) return;
    if (body_.size() + bytes.size() > kMaxBodyBytes) {
      fail("response body is larger than " + std::to_string(kMaxBodyBytes) + " bytes; it was not read");
      return;
    }
    body_.append(bytes);
  }

  void finish() override {
    if (finished_) return;
    finished_ = true;
    if (failed_) return;
    const bool errorStatus = status_ >= 400;
    auto parsed = parseJsonBody(body_, kResponseMaxDepth);
    std::string().swap(body_);
    if (!parsed) {
      // Gateways answer errors with HTML; that is the error, not a fault.
      if (errorStatus) {
        response_.errorMessage = "HTTP " + std::to_string(status_) + " with a body that is not JSON";
      } else {
        fail("response body: " + parsed.error().message);
      }
      return;
    }
    const Json& body = *parsed;
    if (auto error = errorMessageOf(body, errorStatus)) {
      response_.errorMessage = std::move(error);
    } else if (errorStatus) {
      response_.errorMessage = "HTTP " + std::to_string(status_);
    }
    if (!body.is_object()) {
      if (!errorStatus) fail("response body: expected a JSON object");
      return;
    }
    read(body);
  }

  const Response& response() const override { return response_; }
  bool failed() const override { return failed_; }
  const std::string& failure() const override { return failure_; }

 private:
  void read(const Json& body) {
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

  void fail(std::string why) {
    failed_ = true;
    failure_ = std::move(why);
    std::string().swap(body_);
  }

  Operation operation_;
  unsigned status_;
  std::string body_;
  Response response_;
  bool finished_ = false;
  bool failed_ = false;
  std::string failure_;
};

}  // namespace

std::unique_ptr<ResponseReader> makeJsonReader(Operation operation, unsigned status) {
  return std::make_unique<JsonResponseReader>(operation, status);
}

}  // namespace warden::providers::openai
