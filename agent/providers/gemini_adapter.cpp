#include <cctype>
#include <string>

#include "providers/adapter.h"
#include "providers/gemini_request.h"
#include "providers/gemini_response.h"

namespace warden::providers {
namespace {

bool isEventStream(std::string_view contentType) {
  std::string type;
  for (const char c : contentType.substr(0, contentType.find(';'))) {
    if (c != ' ' && c != '\t') type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return type == "text/event-stream";
}

class GeminiAdapter final : public Adapter {
 public:
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits) const override {
    return parseGeminiRequest(route, body, limits);
  }

  // streamGenerateContent answers with events when asked (?alt=sse) and with
  // a JSON array streamed element by element otherwise. Errors come back as
  // one JSON object (or an array of one) even when a stream was asked for.
  std::unique_ptr<ResponseReader> readResponse(const Route& route, unsigned status,
                                               std::string_view contentType) const override {
    const bool streamed = route.streamFromPath || route.operation == Operation::StreamGenerateContent;
    const Framing framing = status >= 400                ? Framing::Json
                            : isEventStream(contentType) ? Framing::ServerSentEvents
                            : streamed                   ? Framing::JsonArray
                                                         : Framing::Json;
    return makeGeminiResponseReader(framing, status);
  }
};

}  // namespace

const Adapter& geminiAdapter() {
  static const GeminiAdapter adapter;
  return adapter;
}

}  // namespace warden::providers
