// Header fields that describe one connection, not the message: they must not
// be forwarded to the next hop (RFC 9110 section 7.6.1).
#pragma once

#include "proxy/http_types.h"

namespace warden::proxy {

// Removes Connection and the fields it names, Keep-Alive, Proxy-*, TE,
// Trailer and Upgrade. Transfer-Encoding and Content-Length are kept: the
// relay re-frames the body exactly as it arrived (chunked stays chunked).
void removeHopByHopFields(http::fields& fields);
void removeHopByHopFields(Fields& fields);

}  // namespace warden::proxy
