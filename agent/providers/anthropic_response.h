// Reads an Anthropic Messages API response: one JSON message, or the event
// stream (message_start, content_block_*, message_delta, message_stop).
#pragma once

#include <memory>

#include "providers/adapter.h"

namespace warden::providers {

std::unique_ptr<ResponseReader> makeAnthropicResponseReader(const Route& route, Framing framing, unsigned status);

}  // namespace warden::providers
