// Responses warden writes itself, shaped like the LLM APIs' own errors so SDK
// clients surface the message instead of failing to parse the body.
#pragma once

#include <string>

#include "proxy/http_types.h"

namespace warden::proxy {

using ErrorResponse = http::response<http::string_body>;

// 502: the upstream could not be reached or failed before answering.
ErrorResponse upstreamUnavailable(const std::string& detail);
// 400: the request could not be parsed; nothing was forwarded.
ErrorResponse badRequest(const std::string& detail);
// 403: a policy refused the request.
ErrorResponse forbidden(const std::string& detail);

}  // namespace warden::proxy
