// Images, audio and files in OpenAI requests come inline (a data: URL or bare
// base64) or by reference (a URL or a file id). Layers judge them by type and
// size, so only those are read: the data itself is never decoded.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/openai_cursor.h"

namespace warden::providers::openai {

// A data: URL sets the part's media type and size; anything else is a
// reference (https://..., an uploaded file's URL).
void setMediaFromUrl(Part& part, std::string_view url);

// file_data: a data: URL in practice, bare base64 in older clients.
void setMediaFromFileData(Part& part, std::string_view data);

// A file part from `object`'s file_data (inline: media type and size) and
// file_id (a reference): chat's "file" object and a Responses API
// input_file part alike.
Result<Part> readFileFields(JsonValue object, const Cursor& at);

// An input_audio part ({"input_audio": {"data", "format"}}), the same in
// chat messages and Responses API input.
Result<Part> readAudioPart(JsonValue part, const Cursor& at);

}  // namespace warden::providers::openai
