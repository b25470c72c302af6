// The upload forms of the OpenAI API read into the conversation model:
// /v1/files (purpose, file) and /v1/audio/transcriptions and translations
// (file, model, prompt, temperature, stream, language, response_format).
//
// Each uploaded file is a user message with one data part (Audio, Image or
// File: media type, size, file name, form field). A text-like file (by type or
// name) that is valid UTF-8 also gets a text part holding its content, so
// the layers inspect what is uploaded; that text has no JSON pointer, as it
// cannot be edited in place.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/route.h"

namespace warden::providers {

// The text read of one file: its first 8 MiB, cut at a character.
inline constexpr size_t kUploadTextLimit = size_t{8} << 20;

// `contentType` is the request's Content-Type (its boundary frames the body).
Result<Request> parseMultipartRequest(const Route& route, std::string_view contentType, std::string_view body);

}  // namespace warden::providers
