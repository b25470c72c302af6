// Short names for the Asio/Beast types the data path uses everywhere.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warden::proxy {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<Tcp::socket>;

// Expected failures (peer closed, reset, timeout) come back as error codes,
// not exceptions: they are normal on a proxy's data path.
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace warden::proxy
