// Replies of /v1/audio/transcriptions and /translations: the transcript as
// a JSON object's "text" (response_format json, verbose_json,
// diarized_json), as the body itself (text, srt, vtt: text/plain), or as a
// stream of transcript.text.delta events closed by transcript.text.done
// (stream=true).
#pragma once

#include <memory>
#include <string_view>

#include "providers/adapter.h"

namespace warden::providers {

std::unique_ptr<ResponseReader> makeTranscriptionReader(unsigned status, std::string_view contentType);

}  // namespace warden::providers
