// Reading a multipart/form-data body (RFC 7578, framed as RFC 2046 §5.1.1
// says) into its parts: the file uploads of the OpenAI API (/v1/files,
// /v1/audio/transcriptions) arrive this way.
//
// Boost.Beast reads HTTP messages but not multipart bodies, and no Debian
// package offers a reader that works on a buffer in memory with errors as
// values, so this one is small and does only what the form-data subset needs.
//
// It is stricter than RFC 2046 where parsers are known to disagree, since the
// upstream's reading is the one that counts and a part it sees must not be
// hidden from inspection: the body must start with the first delimiter (no
// preamble), a delimiter line carries nothing after the boundary (no
// transport padding, no other characters), only a CRLF may follow the close
// delimiter, no part's content has the boundary at the start of a line (where
// a parser accepting bare LF line ends would find one), and part headers are
// CRLF-terminated lines without folding.
// Every part needs Content-Disposition: form-data with a name; none may say
// the same header twice or use a Content-Transfer-Encoding other than the
// identity ones.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::http {

struct MultipartLimits {
  size_t maxParts = 1000;
  size_t maxHeaderBytes = 8 * 1024;  // one part's header lines, through the blank line
};

struct MultipartPart {
  std::string name;                     // the form field (Content-Disposition name)
  std::optional<std::string> filename;  // filename* (RFC 8187, decoded) over filename, when either is given
  std::string contentType;              // the part's Content-Type as sent; "" when absent
  std::string_view body;                // a view into the body that was read
};

// The boundary parameter of a multipart/form-data Content-Type, checked
// against RFC 2046's rules (1 to 70 characters of its set, no trailing space).
Result<std::string> multipartBoundary(std::string_view contentType);

// `contentType` is the request's Content-Type header, `body` the whole
// (decoded) body; the parts' bodies point into `body`.
Result<std::vector<MultipartPart>> readMultipart(std::string_view contentType, std::string_view body,
                                                 const MultipartLimits& limits = {});

}  // namespace warden::http
