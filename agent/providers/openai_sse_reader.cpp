#include "providers/openai_sse_reader.h"

namespace warden::providers::openai {

const Response& SseResponseReader::response() const {
  text_.sync();
  return response_;
}

void SseResponseReader::onEvent(const http::SseEvent& event, size_t number) {
  event_ = number;
  if (event.data == "[DONE]") return stop();
  // The document owns the values onChunk() reads: it lives until it returns.
  const auto document = parseDocument(event.data, "event " + std::to_string(number));
  if (!document) return;
  const JsonValue data = document->root();
  if (!data.isObject()) return failHere("expected a JSON object");
  onChunk(event, data);
}

}  // namespace warden::providers::openai
