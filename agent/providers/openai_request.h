// The OpenAI request shapes, one reader per operation. Each reads the parts
// of a body (already known to be a JSON object) that carry text or media,
// and leaves the common fields (model, stream, limits) to the adapter.
#pragma once

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/json_body.h"

namespace warden::providers::openai {

Status readChatRequest(const Json& body, Request& out);
Status readResponsesRequest(const Json& body, Request& out);
Status readCompletionsRequest(const Json& body, Request& out);
Status readEmbeddingsRequest(const Json& body, Request& out);
Status readModerationsRequest(const Json& body, Request& out);

}  // namespace warden::providers::openai
