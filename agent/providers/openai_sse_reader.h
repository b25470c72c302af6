// The part every OpenAI event-stream reader shares: one JSON document per
// event, "[DONE]" ending the stream, and the event's number in faults. A
// stream cut short keeps what arrived and is not a fault: OpenAI streams
// carry no end marker every server sends.
#pragma once

#include <string>
#include <string_view>

#include "providers/framed_response_reader.h"
#include "providers/openai_stream_assembly.h"

namespace warden::providers::openai {

class SseResponseReader : public FramedResponseReader {
 public:
  SseResponseReader()
      : FramedResponseReader(Framing::ServerSentEvents, 200, {.checkStreamEnd = false}),
        text_(response_.text, budget_) {}

  const Response& response() const final;

 protected:
  // One event's data, parsed; not called after [DONE] or a fault.
  virtual void onChunk(const http::SseEvent& event, JsonValue data) = 0;
  // "event 3: <what>": a fault in the current event.
  void failHere(const std::string& what) { fail("event " + std::to_string(event_) + ": " + what); }

  OrderedText text_;  // response_.text, brought up to date by response()
  ToolCallAssembly toolCalls_{response_.toolCalls};

 private:
  void onBody(std::string_view /*body*/) final {}  // the framing is always events
  void onEvent(const http::SseEvent& event, size_t number) final;

  size_t event_ = 0;
};

}  // namespace warden::providers::openai
