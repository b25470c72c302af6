// Beast names used by the HTTP relay.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <memory_resource>

#include "proxy/net_types.h"

namespace warden::proxy {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// Header fields of the messages in transit live in an arena of their
// session, released between requests: Beast allocates every field on its
// own, a dozen allocations per exchange otherwise.
using FieldAllocator = std::pmr::polymorphic_allocator<char>;
using Fields = http::basic_fields<FieldAllocator>;

// For response headers (a request's limit is configured, limits.*): large
// enough for real API responses, small enough that a server cannot make us
// buffer without bound.
inline constexpr uint32_t kHeaderLimitBytes = 64 * 1024;

// Space a connection's read buffer starts with. A read takes at most the
// free space of the buffer (at least 512 bytes), and the relay drains it
// after every read, so a buffer that starts small stays small: a 4 KiB body
// would come in (and go out) as eight 512-byte reads and writes. With room
// for a whole TLS record (16 KiB of plaintext), one read takes everything
// that has arrived.
inline constexpr size_t kReadBufferBytes = 17 * 1024;

}  // namespace warden::proxy
