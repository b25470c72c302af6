#include <cctype>
#include <string>

#include "providers/adapter.h"
#include "providers/ollama_request.h"
#include "providers/ollama_response.h"

namespace warden::providers {
namespace {

std::string mediaType(std::string_view contentType) {
  std::string type;
  for (const char c : contentType.substr(0, contentType.find(';'))) {
    if (c != ' ' && c != '\t') type += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return type;
}

class OllamaAdapter final : public Adapter {
 public:
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits) const override {
    return parseOllamaRequest(route, body, limits);
  }

  // Streams (the default) are application/x-ndjson; "stream": false answers
  // and errors before a stream starts are one application/json object.
  std::unique_ptr<ResponseReader> readResponse(const Route&, unsigned status,
                                               std::string_view contentType) const override {
    const std::string type = mediaType(contentType);
    const bool lines =
        status < 400 && (type == "application/x-ndjson" || type == "application/jsonl" || type == "application/ndjson");
    return makeOllamaResponseReader(lines ? Framing::JsonLines : Framing::Json, status);
  }
};

}  // namespace

const Adapter& ollamaAdapter() {
  static const OllamaAdapter adapter;
  return adapter;
}

}  // namespace warden::providers
