// Reads an LLM API response as it is relayed: each piece, dechunked and
// decoded from its Content-Encoding, goes to the adapter's ResponseReader,
// which assembles the streamed deltas. It only ever sees bytes already
// written to the client, so inspection never holds the stream back; a judge
// asked after each piece can refuse the rest of the response.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/content_decoding.h"
#include "layers/audit/event.h"
#include "layers/audit/text_hasher.h"
#include "providers/adapter.h"
#include "proxy/http_exchange.h"
#include "proxy/request_decision.h"
#include "proxy/stream_boundary.h"

namespace warden::proxy {

// What the event keeps of a response read into the conversation model.
audit::LlmResponseRecord responseRecord(const providers::Response& response);

// Decides on a response as read so far (see decideResponse()).
using ResponseJudge = std::function<ResponseDecision(const providers::Response& soFar)>;

class ResponseInspection final : public ResponseTap {
 public:
  ResponseInspection(const providers::Adapter& adapter, providers::Route route)
      : adapter_(adapter), route_(std::move(route)) {}

  // From now on `judge` is asked after the head and after each piece; its
  // first refusal stands. `eventId` is named in the client's error. Without
  // a judge every response is allowed.
  void judgeWith(ResponseJudge judge, std::string eventId);

  void head(unsigned status, const http::response_header<Fields>& header) override;
  void piece(std::string_view bytes) override;
  void end(bool complete) override;
  // The refusal in the provider's format, ending the body relayed so far.
  std::optional<ResponseRefusal> refusal() const override;

  // What the event keeps; none before a final response head was seen.
  // With a hasher, the output text is kept as its keyed hash.
  std::optional<audit::LlmResponseRecord> record(const audit::TextHasher* hasher = nullptr) const;
  // The response as read so far; null before a final response head was seen.
  const providers::Response* response() const { return reader_ ? &reader_->response() : nullptr; }

 private:
  void startReading(unsigned status, const http::response_header<Fields>& header);
  void read(std::string_view bytes);
  void judge();
  void fail(std::string why);

  const providers::Adapter& adapter_;
  providers::Route route_;
  std::unique_ptr<providers::ResponseReader> reader_;
  std::unique_ptr<warden::http::StreamDecoder> decoder_;
  std::string failure_;  // decoding failed: the reader saw only part of the body
  bool seen_ = false;
  bool ended_ = false;
  ResponseJudge judge_;
  std::string eventId_;
  std::optional<std::string> refusedBecause_;
  std::optional<StreamBoundary> boundary_;  // of the bytes written, from the head on
};

}  // namespace warden::proxy
