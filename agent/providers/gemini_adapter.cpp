#include "providers/adapter.h"
#include "providers/gemini_request.h"
#include "providers/gemini_response.h"
#include "providers/provider_adapter.h"

namespace warden::providers {
namespace {

// streamGenerateContent answers with events when asked (?alt=sse) and with
// a JSON array streamed element by element otherwise.
FramingRule geminiFraming(const Route& route) {
  const bool streamed = route.streamFromPath || route.operation == Operation::StreamGenerateContent;
  return FramingRule{.events = true, .otherwise = streamed ? Framing::JsonArray : Framing::Json};
}

}  // namespace

const Adapter& geminiAdapter() {
  static const ProviderAdapter adapter(parseGeminiRequest, geminiFraming, makeGeminiResponseReader);
  return adapter;
}

}  // namespace warden::providers
