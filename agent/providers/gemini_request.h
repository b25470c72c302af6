// Reads a Gemini generateContent / streamGenerateContent request into the
// conversation model. The model and streaming come from the path.
#pragma once

#include <string_view>

#include "core/result.h"
#include "providers/adapter.h"

namespace warden::providers {

Result<Request> parseGeminiRequest(const Route& route, std::string_view body, const ParseLimits& limits);

}  // namespace warden::providers
