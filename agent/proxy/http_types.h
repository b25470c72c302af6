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

}  // namespace warden::proxy
