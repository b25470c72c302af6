// The original destination for the request-path benchmark: plain HTTP/1.1
// on 127.0.0.1:0, keep-alive, answering every request with the same small
// chat completion, on its own thread.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <thread>

#include "core/endpoint.h"
#include "proxy/net_types.h"

namespace warden::bench {

class JsonUpstream {
 public:
  JsonUpstream();
  ~JsonUpstream();
  JsonUpstream(const JsonUpstream&) = delete;
  JsonUpstream& operator=(const JsonUpstream&) = delete;

  Endpoint endpoint() const;

 private:
  proxy::asio::awaitable<void> acceptLoop();
  proxy::asio::awaitable<void> serve(proxy::Tcp::socket socket);

  proxy::asio::io_context io_;  // first: destroyed after everything bound to it
  proxy::Tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace warden::bench
