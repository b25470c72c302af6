#include "providers/adapter.h"
#include "providers/ollama_request.h"
#include "providers/ollama_response.h"
#include "providers/provider_adapter.h"

namespace warden::providers {

const Adapter& ollamaAdapter() {
  // Streams (the default) are application/x-ndjson; "stream": false
  // answers are one application/json object.
  static const ProviderAdapter adapter(
      parseOllamaRequest, [](const Route&) { return FramingRule{.lines = true}; }, makeOllamaResponseReader);
  return adapter;
}

}  // namespace warden::providers
