// Reads a request header from the client. Its raw bytes are checked first
// (http/request_checks.h): a header that two HTTP implementations could frame
// differently (two lengths, an odd Transfer-Encoding, folded lines) is how
// requests are smuggled past a proxy, and Beast alone is lenient with some.
#pragma once

#include <cstdint>
#include <string>

#include "http/request_checks.h"
#include "proxy/http_exchange.h"
#include "proxy/stream.h"

namespace warden::proxy {

struct RequestHead {
  // end_of_stream: the connection ended (or idled out) before a request
  // began; partial_message: it ended part way; other Beast errors: a header
  // the checks let through but Beast cannot parse.
  boost::system::error_code error;
  std::string violation;  // the rule the header broke; nothing of it is forwarded
  uint64_t bytes = 0;     // header bytes consumed from `buffer`
};

// On success `parser` has the header and `buffer` holds what followed it.
asio::awaitable<RequestHead> readRequestHead(Stream& in, beast::flat_buffer& buffer, RequestParser& parser,
                                             const warden::http::HeaderLimits& limits);

}  // namespace warden::proxy
