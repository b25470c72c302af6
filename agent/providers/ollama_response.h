// Reads Ollama native responses: one JSON object, or newline-delimited JSON
// (application/x-ndjson) with one delta object per line.
#pragma once

#include <memory>

#include "providers/adapter.h"

namespace warden::providers {

std::unique_ptr<ResponseReader> makeOllamaResponseReader(const Route& route, Framing framing, unsigned status);

}  // namespace warden::providers
