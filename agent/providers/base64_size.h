// The size of inline attachments (images, audio, files) sent as base64:
// layers judge them by size, so the data is counted, never decoded.
#pragma once

#include <cstdint>
#include <string_view>

namespace warden::providers {

// The size of base64 `text` once decoded. Whitespace and padding are not
// counted; both alphabets (+/ and -_) are.
uint64_t base64DecodedSize(std::string_view text);

}  // namespace warden::providers
