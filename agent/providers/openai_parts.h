// What chat messages and Responses API input items share: the roles both
// name alike, and text parts that keep their pointer.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/openai_cursor.h"

namespace warden::providers::openai {

// system, developer, user and assistant; anything else is Role::Unknown.
Role messageRole(std::string_view role);

// The "type" of a content part, which must be an object that names one.
Result<std::string_view> readPartType(JsonValue part, const Cursor& at);

// A text part whose text is the string at `at`.
Part textPart(const Cursor& at, std::string_view text);

// A stored prompt's variables ({"prompt": {"id", "variables": {name: string
// or input part}}}, in the Responses API and Realtime sessions) are text or
// media the model sees: added to `out` as one user turn, in key order (not
// the body's, so the parts and the first problem reported do not hang on
// the client's serialiser). `readObjectPart` reads a variable that is a part.
using PartReader = std::function<Result<Part>(JsonValue part, const Cursor& at)>;
Status readPromptVariables(JsonValue body, const Cursor& root, const PartReader& readObjectPart, Request& out);

// A text part from the required string member `key` of `part`
// ({"type": "text", "text": ...}, {"type": "refusal", "refusal": ...}).
Result<Part> readTextPart(JsonValue part, const Cursor& at, std::string_view key);

}  // namespace warden::providers::openai
