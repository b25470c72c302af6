// Reads a whole request body (dechunked by Beast) so a provider adapter can
// read it before anything is forwarded. Bounded: a body over the limit stops
// the read, and is refused by the caller.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "proxy/http_exchange.h"
#include "proxy/stream.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

struct WholeBody {
  uint64_t consumed = 0;  // input consumed, framing included
  bool tooLarge = false;  // over the limit: reading stopped there
  boost::system::error_code error;
};

// Content-Length, when the request declares one: a body that cannot fit is
// refused before it is read (and before a 100 Continue invites it).
bool declaredTooLarge(const RequestParser& parser, uint64_t maxBytes);

// `parser` has the header; `piece` is scratch space for one read. The body
// (chunks joined) is appended to `body`.
asio::awaitable<WholeBody> readWholeBody(Stream& in, beast::flat_buffer& buffer, RequestParser& parser,
                                         std::span<char> piece, uint64_t maxBytes, Watchdog& idle,
                                         std::string& body);

}  // namespace warden::proxy
