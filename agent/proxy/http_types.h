// Beast names used by the HTTP relay.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "proxy/net_types.h"

namespace warden::proxy {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// Large enough for real API requests (long cookies, many headers), small
// enough that a client cannot make us buffer without bound.
inline constexpr uint32_t kHeaderLimitBytes = 64 * 1024;

// Space a connection's read buffer starts with. A read takes at most the
// free space of the buffer (at least 512 bytes), and the relay drains it
// after every read, so a buffer that starts small stays small: a 4 KiB body
// would come in (and go out) as eight 512-byte reads and writes. With room
// for a whole TLS record (16 KiB of plaintext), one read takes everything
// that has arrived.
inline constexpr size_t kReadBufferBytes = 17 * 1024;

}  // namespace warden::proxy
