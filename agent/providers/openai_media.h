// Images, audio and files in OpenAI requests come inline (a data: URL or bare
// base64) or by reference (a URL or a file id). Layers judge them by type and
// size, so only those are read: the data itself is never decoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "providers/conversation.h"

namespace warden::providers::openai {

// The size of base64 `text` once decoded; whitespace and padding are not
// counted, both alphabets (+/ and -_) are.
uint64_t base64DecodedSize(std::string_view text);

// A data: URL sets the part's media type and size; anything else is a
// reference (https://..., an uploaded file's URL).
void setMediaFromUrl(Part& part, std::string_view url);

// file_data: a data: URL in practice, bare base64 in older clients.
void setMediaFromFileData(Part& part, std::string_view data);

// "wav" -> "audio/wav", "mp3" -> "audio/mpeg".
std::string audioMediaType(std::string_view format);

}  // namespace warden::providers::openai
