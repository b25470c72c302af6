// Reads an Anthropic Messages API request (POST /v1/messages) into the
// conversation model.
#pragma once

#include <string_view>

#include "core/result.h"
#include "providers/adapter.h"

namespace warden::providers {

Result<Request> parseAnthropicRequest(const Route& route, std::string_view body, const ParseLimits& limits);

}  // namespace warden::providers
