// Responses warden writes itself, in the error format of the API the client
// called (providers/native_error.h), so SDK clients raise their usual API
// error with warden's message instead of failing to parse the body.
#pragma once

#include <string>

#include "providers/conversation.h"
#include "providers/native_error.h"
#include "proxy/http_types.h"

namespace warden::proxy {

using ErrorResponse = http::response<http::string_body>;

// Every such response ends the connection: the rest of the request (if any)
// has not been read, so the stream is no longer at a message boundary.
ErrorResponse refusalResponse(providers::Provider provider, providers::Refusal refusal, const std::string& reason,
                              const std::string& eventId);

}  // namespace warden::proxy
