// Reads Gemini GenerateContentResponse bodies: one JSON object, a stream of
// them as server-sent events (?alt=sse), or a streamed JSON array of them.
#pragma once

#include <memory>

#include "providers/adapter.h"

namespace warden::providers {

std::unique_ptr<ResponseReader> makeGeminiResponseReader(const Route& route, Framing framing, unsigned status);

}  // namespace warden::providers
