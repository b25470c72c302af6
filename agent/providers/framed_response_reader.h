// What every provider's response reader shares: the body's framing (one
// JSON document, server-sent events, JSON lines, a JSON array streamed
// element by element), the bounds on what is buffered and kept, and the
// failure rules. A provider's reader handles the units its framings deliver.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http/sse_parser.h"
#include "providers/adapter.h"
#include "providers/json_array_splitter.h"
#include "providers/json_body.h"
#include "providers/text_budget.h"

namespace warden::providers {

struct ReaderOptions {
  size_t maxBodyBytes = size_t{32} << 20;           // a whole JSON body, buffered for parsing
  size_t maxTextBytes = TextBudget::kDefaultLimit;  // output text and tool call arguments kept
  // A stream cut inside an event, or before the end its provider always
  // sends (missingEnd()), is truncated: a fault, not just a short answer.
  bool checkStreamEnd = true;
};

class FramedResponseReader : public ResponseReader {
 public:
  FramedResponseReader(Framing framing, unsigned status, const ReaderOptions& options = {});
  FramedResponseReader(const FramedResponseReader&) = delete;
  FramedResponseReader& operator=(const FramedResponseReader&) = delete;

  void feed(std::string_view bytes) final;
  void finish() final;
  const Response& response() const override { return response_; }
  // A fault, or output over the text bound (reading goes on then, for the
  // usage and finish facts that come last).
  bool failed() const final { return !failure_.empty(); }
  const std::string& failure() const final { return failure_; }

 protected:
  // The units of each framing, in order; none is handed over after a fault.
  virtual void onBody(std::string_view body) = 0;  // Json: the whole body, at finish()
  // ServerSentEvents: the events that carry data, numbered from 1.
  virtual void onEvent(const http::SseEvent& /*event*/, size_t /*number*/) {}
  // JsonLines: the non-blank lines, numbered from 1.
  virtual void onLine(std::string_view /*line*/, size_t /*number*/) {}
  // JsonArray; `inArray` false: the body was one object (an error reply).
  virtual void onElement(std::string_view /*element*/, size_t /*index*/, bool /*inArray*/) {}
  // The end marker a complete stream of this provider carries ("message_stop")
  // when it has not been seen yet; nullptr once seen.
  virtual const char* missingEnd() const { return nullptr; }

  // A fault: nothing more is read; the first one is reported.
  void fail(const std::string& what);
  void expected(const std::string& field, std::string_view what) { fail(field + ": expected " + std::string(what)); }
  bool faulted() const { return faulted_; }
  // The stream said it is over: nothing after is read, and it is complete.
  void stop() { stopped_ = true; }

  // One JSON document of the body. nullopt when it is not JSON: with an error
  // status that is the answer (gateways answer errors with HTML pages),
  // otherwise a fault "<what>: <why>".
  std::optional<JsonDocument> parseDocument(std::string_view text, const std::string& what);
  bool errorStatus() const { return status_ >= 400; }
  // An error reply without the provider's own error object: "HTTP 503".
  void statusError() { response_.errorMessage = "HTTP " + std::to_string(status_); }
  // A token count: absent, or a non-negative integer; `field` names it in
  // the fault.
  void readCount(JsonValue object, std::string_view key, const std::string& field, std::optional<uint64_t>& into);
  // Text and tool call arguments read from a whole document straight into
  // response_ are cut to the budget.
  void chargeWhole();

  Response response_;
  // Every write to response_.text and tool call arguments goes through it.
  TextBudget budget_;

 private:
  void buffer(std::string_view bytes);
  void endOfStream(const char* stream);
  void noteSpentBudget();

  Framing framing_;
  unsigned status_;
  ReaderOptions options_;
  http::SseParser events_;
  http::LineSplitter lines_;
  JsonArraySplitter elements_;
  size_t units_ = 0;  // events, lines or elements handed over
  const http::SseParser::Sink eventSink_ = [this](const http::SseEvent& event) {
    if (!faulted_ && !stopped_ && !event.data.empty()) onEvent(event, ++units_);
  };
  const http::LineSplitter::Sink lineSink_ = [this](std::string_view line) {
    if (!faulted_ && !stopped_) onLine(line, ++units_);
  };
  const JsonArraySplitter::Sink elementSink_ = [this](std::string_view element) {
    if (!faulted_ && !stopped_) onElement(element, units_++, elements_.isArray());
  };
  std::string body_;
  bool finished_ = false;
  bool stopped_ = false;
  bool faulted_ = false;
  bool budgetNoted_ = false;
  std::string failure_;
};

}  // namespace warden::providers
