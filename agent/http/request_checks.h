// Checks on a request's raw header bytes, made before the proxy parses or
// forwards it. Beast parses some things leniently (obsolete line folding) and
// the upstream server may read others differently from us (two lengths, an
// odd Transfer-Encoding): any header two HTTP implementations could frame
// differently is how requests are smuggled past a proxy, so it is refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace warden::http {

struct HeaderLimits {
  size_t maxHeaderBytes = 64 * 1024;  // start line through the blank line
  size_t maxHeaderCount = 100;        // field lines
};

// `rawHeader` is the request line through the blank line that ends the
// header (bytes after it are not looked at). Refuses, with a message naming
// the rule: a header over the limits; NUL bytes; a CR or LF that is not part
// of a CRLF; a malformed request line; obsolete line folding; whitespace
// between a field name and its colon; more than one Content-Length, or one
// that is not plain digits; Content-Length together with Transfer-Encoding;
// Transfer-Encoding whose final coding is not exactly "chunked", or on an
// HTTP/1.0 request; more than one Host. A header without its blank line is
// refused as incomplete (unless it is already over the size limit, which is
// reported first so a caller can refuse while still buffering).
Result<void> checkRequestHeader(std::string_view rawHeader, const HeaderLimits& limits = {});

// The length of the header in `buffered` through its CRLFCRLF, when present.
std::optional<size_t> headerEnd(std::string_view buffered);

}  // namespace warden::http
