// Short names for the Asio/Beast types the data path uses everywhere.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace warden::proxy {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
// Beast's wrapper, not asio::ssl::stream alone: it gathers the buffers of
// one write (an HTTP header is one buffer per field, then the body) into a
// TLS record of up to 16 KiB, a full record; Asio alone stops at 8 KiB.
using TlsStream = boost::beast::ssl_stream<Tcp::socket>;

// Expected failures (peer closed, reset, timeout) come back as error codes,
// not exceptions: they are normal on a proxy's data path.
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace warden::proxy
