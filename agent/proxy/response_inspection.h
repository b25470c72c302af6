// Reads an LLM API response as it is relayed: each piece, dechunked and
// decoded from its Content-Encoding, goes to the adapter's ResponseReader,
// which assembles the streamed deltas. It only ever sees bytes already
// written to the client, so inspection never holds the stream back.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "http/content_decoding.h"
#include "layers/audit/event.h"
#include "providers/adapter.h"
#include "proxy/http_exchange.h"

namespace warden::proxy {

// What the event keeps of a response read into the conversation model.
audit::LlmResponseRecord responseRecord(const providers::Response& response);

class ResponseInspection final : public ResponseTap {
 public:
  ResponseInspection(const providers::Adapter& adapter, providers::Route route)
      : adapter_(adapter), route_(std::move(route)) {}

  void head(unsigned status, const http::response_header<Fields>& header) override;
  void piece(std::string_view bytes) override;
  void end(bool complete) override;

  // What the event keeps; none before a final response head was seen.
  std::optional<audit::LlmResponseRecord> record() const;

 private:
  void fail(std::string why);

  const providers::Adapter& adapter_;
  providers::Route route_;
  std::unique_ptr<providers::ResponseReader> reader_;
  std::unique_ptr<warden::http::StreamDecoder> decoder_;
  std::string failure_;  // decoding failed: the reader saw only part of the body
  bool seen_ = false;
  bool ended_ = false;
};

}  // namespace warden::proxy
