// Waits until the client's ClientHello is complete in the socket's receive
// queue and parses it WITHOUT consuming it: a tunnel must forward the hello
// untouched, and the TLS server handshake reads it again from the socket.
#pragma once

#include "core/result.h"
#include "proxy/client_hello.h"
#include "proxy/net_types.h"

namespace warden::proxy {

// Complete, NotTls or Malformed on success; an error when the client closed
// or the socket failed (the caller's watchdog closes it on timeout).
asio::awaitable<Result<HelloParse>> peekClientHello(Tcp::socket& socket);

}  // namespace warden::proxy
