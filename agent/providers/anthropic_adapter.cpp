#include <cctype>
#include <string>

#include "providers/adapter.h"
#include "providers/anthropic_request.h"
#include "providers/anthropic_response.h"

namespace warden::providers {
namespace {

bool isEventStream(std::string_view contentType) {
  std::string type;
  for (const char c : contentType.substr(0, contentType.find(';'))) {
    if (c != ' ' && c != '\t') type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return type == "text/event-stream";
}

class AnthropicAdapter final : public Adapter {
 public:
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits) const override {
    return parseAnthropicRequest(route, body, limits);
  }

  // Errors come back as one JSON object even when a stream was asked for.
  std::unique_ptr<ResponseReader> readResponse(const Route&, unsigned status,
                                               std::string_view contentType) const override {
    const bool events = status < 400 && isEventStream(contentType);
    return makeAnthropicResponseReader(events ? Framing::ServerSentEvents : Framing::Json, status);
  }
};

}  // namespace

const Adapter& anthropicAdapter() {
  static const AnthropicAdapter adapter;
  return adapter;
}

}  // namespace warden::providers
