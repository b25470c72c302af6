#include "providers/openai_sse_reader.h"

#include "providers/openai_response.h"

namespace warden::providers::openai {

void SseResponseReader::feed(std::string_view bytes) {
  if (failed_ || stopped_ || finished_) return;
  parser_.feed(bytes, [this](const http::SseEvent& event) { dispatch(event); });
  if (parser_.failed() && !failed_) fail("event stream line too long; the rest was not read");
}

void SseResponseReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (!failed_ && !stopped_) parser_.finish();
}

const Response& SseResponseReader::response() const {
  text_.sync();
  return response_;
}

void SseResponseReader::fail(const std::string& why) {
  failed_ = true;
  failure_ = why;
}

void SseResponseReader::dispatch(const http::SseEvent& event) {
  if (failed_ || stopped_) return;
  if (event.data.empty()) return;  // keep-alives and bare event names carry nothing
  ++events_;
  if (event.data == "[DONE]") {
    stop();
    return;
  }
  auto data = parseJsonBody(event.data, kResponseMaxDepth);
  if (!data) {
    fail("event " + std::to_string(events_) + ": " + data.error().message);
    return;
  }
  if (!data->is_object()) {
    fail("event " + std::to_string(events_) + ": expected a JSON object");
    return;
  }
  onEvent(event, *data);
}

}  // namespace warden::providers::openai
