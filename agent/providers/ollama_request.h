// Reads an Ollama native request (/api/chat, /api/generate) into the
// conversation model.
#pragma once

#include <string_view>

#include "core/result.h"
#include "providers/adapter.h"

namespace warden::providers {

Result<Request> parseOllamaRequest(const Route& route, std::string_view body, const ParseLimits& limits);

}  // namespace warden::providers
