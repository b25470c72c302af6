// Reading OpenAI responses: the fields of whole JSON bodies (shared by the
// streaming readers, whose final events carry whole objects), and the
// readers the adapter hands out.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "providers/adapter.h"
#include "providers/conversation.h"
#include "providers/json_body.h"
#include "providers/openai_cursor.h"

namespace warden::providers::openai {

// prompt_tokens/completion_tokens (chat, completions, embeddings) or
// input_tokens/output_tokens (responses).
void readUsage(JsonValue usage, Usage& out);

// The message of an error object: {"error":{"message"}} or {"error":"..."};
// with `errorStatus` (HTTP 4xx/5xx) also the {"message"} and {"detail"}
// bodies of compatible servers. nullopt when there is no error.
std::optional<std::string> errorMessageOf(JsonValue body, bool errorStatus);

// Whole response objects. Tool call arguments point into the body when
// `at` is given (a plain JSON response), and nowhere in a stream.
void readChatCompletion(JsonValue body, Response& out);
void readTextCompletion(JsonValue body, Response& out);
void readResponseObject(JsonValue response, const Cursor* at, Response& out);
// id, model and usage: all an embeddings or moderations reply has to read.
void readResponseHeader(JsonValue body, Response& out);

std::unique_ptr<ResponseReader> makeJsonReader(Operation operation, unsigned status);
std::unique_ptr<ResponseReader> makeChatStreamReader();       // chat and completions chunks
std::unique_ptr<ResponseReader> makeResponsesStreamReader();  // Responses API events

}  // namespace warden::providers::openai
