#include "providers/transcription_response.h"

#include "http/header_parameters.h"
#include "providers/framed_response_reader.h"
#include "providers/openai_response.h"
#include "providers/openai_sse_reader.h"
#include "providers/response_framing.h"

namespace warden::providers {
namespace {

class TranscriptReader final : public FramedResponseReader {
 public:
  TranscriptReader(unsigned status, bool plainText)
      : FramedResponseReader(Framing::Json, status), plainText_(plainText) {}

 private:
  void onBody(std::string_view body) override {
    if (plainText_ && !errorStatus()) {
      response_.text = std::string(body);
      chargeWhole();
      return;
    }
    // The document owns the values read below: it lives to the end.
    const auto parsed = parseDocument(body, "response body");
    if (!parsed) return;
    const JsonValue root = parsed->root();
    if (auto error = openai::errorMessageOf(root, errorStatus())) {
      response_.errorMessage = std::move(error);
    } else if (errorStatus()) {
      statusError();
    }
    if (!root.isObject()) {
      if (!errorStatus()) fail("response body: expected a JSON object");
      return;
    }
    if (const auto text = member(root, "text"); text && text->isString()) response_.text = text->str();
    if (const auto usage = member(root, "usage")) openai::readUsage(*usage, response_.usage);
    chargeWhole();
  }

  bool plainText_;
};

class TranscriptStreamReader final : public openai::SseResponseReader {
 protected:
  void onChunk(const http::SseEvent& /*event*/, JsonValue chunk) override {
    if (auto error = openai::errorMessageOf(chunk, false)) {
      response_.errorMessage = std::move(error);
      return;
    }
    const std::string type = openai::stringOr(chunk, "type");
    if (type == "transcript.text.delta") {
      const auto delta = member(chunk, "delta");
      if (delta && !delta->isString()) return failHere("delta: expected a string");
      if (delta) text_.append({0, 0}, delta->string());
    } else if (type == "transcript.text.done") {
      const auto text = member(chunk, "text");
      if (text && !text->isString()) return failHere("text: expected a string");
      if (text) text_.replace({0, 0}, text->string());
      if (const auto usage = member(chunk, "usage")) openai::readUsage(*usage, response_.usage);
    }
  }
};

}  // namespace

std::unique_ptr<ResponseReader> makeTranscriptionReader(unsigned status, std::string_view contentType) {
  if (responseFraming(status, contentType, {.events = true}) == Framing::ServerSentEvents) {
    return std::make_unique<TranscriptStreamReader>();
  }
  // text, srt and vtt transcripts are text/plain; json and verbose_json JSON.
  return std::make_unique<TranscriptReader>(status, http::mediaTypeOf(contentType).starts_with("text/"));
}

}  // namespace warden::providers
