// The part every OpenAI event-stream reader shares: SSE framing, one JSON
// document per event, "[DONE]", and the first fault ending the reading (the
// relay carries on regardless).
#pragma once

#include <string>
#include <string_view>

#include "http/sse_parser.h"
#include "providers/adapter.h"
#include "providers/json_body.h"
#include "providers/openai_stream_assembly.h"

namespace warden::providers::openai {

class SseResponseReader : public ResponseReader {
 public:
  SseResponseReader() : text_(response_.text), toolCalls_(response_.toolCalls) {}
  SseResponseReader(const SseResponseReader&) = delete;
  SseResponseReader& operator=(const SseResponseReader&) = delete;

  void feed(std::string_view bytes) final;
  void finish() final;
  const Response& response() const final;
  bool failed() const final { return failed_; }
  const std::string& failure() const final { return failure_; }

 protected:
  // One event's data, parsed; not called after [DONE] or a fault.
  virtual void onEvent(const http::SseEvent& event, const Json& data) = 0;
  void fail(const std::string& why);
  // No further events are read (the stream said it is over).
  void stop() { stopped_ = true; }
  size_t eventNumber() const { return events_; }

  Response response_;  // text_ keeps its text, brought up to date by response()
  OrderedText text_;
  ToolCallAssembly toolCalls_;

 private:
  void dispatch(const http::SseEvent& event);

  http::SseParser parser_;
  size_t events_ = 0;
  bool stopped_ = false;
  bool finished_ = false;
  bool failed_ = false;
  std::string failure_;
};

}  // namespace warden::providers::openai
