// A small HTTP/1.1 client for the HTTP sink: one keep-alive connection to
// one server (plain or TLS), POSTs one request at a time and reads each
// reply whole, with Boost.Beast.
//
// Calls block the calling thread (a sink's own delivery thread) and run a
// private io_context; the timeout bounds the connect (with the TLS
// handshake) and each round trip. Name resolution uses the system resolver
// and its own timeouts. TLS checks the certificate chain (a CA file, or the
// system's trust store) and the URL's host name (or IP address) on it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "layers/audit/sinks/receiver_lookup.h"

namespace warden::audit {

struct HttpUrl {
  bool tls = false;
  std::string host;  // without brackets
  uint16_t port = 0;
  std::string target;      // path and query; "" when the URL has no path
  std::string hostHeader;  // host[:port] as the Host header wants it

  std::string origin() const;  // "https://host:port"
  std::string text() const;    // "https://host:port/target"
};

// http:// or https://, host (name, IPv4, [IPv6]), optional port, path.
// Credentials in the URL are refused: they would show in logs and status.
Result<HttpUrl> parseHttpUrl(std::string_view url);

struct HttpTlsFiles {
  std::string caFile;    // "" = the system's trust store
  std::string certFile;  // client certificate (PEM chain), "" = none
  std::string keyFile;
};

struct HttpReply {
  unsigned status = 0;
  std::string reason;
  std::string body;
};

class HttpClient {
 public:
  // Replies larger than this are refused (a log API answers briefly).
  static constexpr size_t kMaxReplyBytes = size_t{8} << 20;

  // Loads the TLS files (for https URLs) now, so a wrong one shows at startup.
  static Result<std::unique_ptr<HttpClient>> create(HttpUrl url, const HttpTlsFiles& tls,
                                                    std::chrono::milliseconds timeout);
  ~HttpClient();

  // POSTs `body` to `target` on the connection (opening one when needed) and
  // reads the reply. A kept-alive connection the server has meanwhile
  // closed is replaced once, transparently. `authorization` "" = none.
  Result<HttpReply> post(const std::string& target, std::string_view contentType, const std::string& authorization,
                         const std::string& body);
  void close();

 private:
  HttpClient(HttpUrl url, std::chrono::milliseconds timeout)
      : url_(std::move(url)), timeout_(timeout), lookup_(url_.host, url_.port, "receiver") {}
  Status connect();
  // One exchange on the open connection; `sent` tells whether the request
  // was written whole before it failed.
  Result<HttpReply> exchange(const std::string& target, std::string_view contentType, const std::string& authorization,
                             const std::string& body, bool& sent);
  boost::beast::tcp_stream& tcp();
  std::string tlsFailure(const boost::system::error_code& ec);

  HttpUrl url_;
  std::chrono::milliseconds timeout_;
  ReceiverLookup lookup_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ssl::context> tlsContext_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace warden::audit
