// Whether decoded bytes are text worth scanning: random bytes that happen to
// decode (every long identifier is "base64") are not.
#pragma once

#include <string_view>

namespace warden::validation {

// At least a few bytes, valid UTF-8 for the most part, at least 90% printable
// characters and at least one letter.
bool looksLikeText(std::string_view bytes);

}  // namespace warden::validation
