// The OpenAI request shapes, one reader per operation. Each reads the parts
// of a body (already known to be a JSON object) that carry text or media,
// and leaves the common fields (model, stream, limits) to the adapter.
#pragma once

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/json_body.h"

namespace warden::providers::openai {

Status readChatRequest(JsonValue body, Request& out);
Status readResponsesRequest(JsonValue body, Request& out);
Status readCompletionsRequest(JsonValue body, Request& out);
Status readEmbeddingsRequest(JsonValue body, Request& out);
Status readModerationsRequest(JsonValue body, Request& out);

}  // namespace warden::providers::openai
