#include "layers/audit/sinks/http_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>

namespace warden::audit {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using ErrorCode = boost::system::error_code;

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool isIpLiteral(const std::string& host) {
  unsigned char addr[16];
  return ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

// The server closed a kept-alive connection before our request reached it.
bool isStaleConnection(const ErrorCode& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

// Runs one asynchronous operation on `io` to its end; the stream's own
// timer (tcp_stream::expires_after) bounds it.
template <class Initiate>
ErrorCode runToEnd(asio::io_context& io, Initiate&& initiate) {
  ErrorCode result;
  initiate([&result](ErrorCode ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

Status fileReadable(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errnoError("read " + what + " " + path);
  return {};
}

}  // namespace

std::string HttpUrl::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::text() const { return origin() + (target.empty() ? "/" : target); }

Result<HttpUrl> parseHttpUrl(std::string_view url) {
  HttpUrl out;
  const size_t schemeEnd = url.find("://");
  std::string_view rest = schemeEnd == std::string_view::npos ? url : url.substr(schemeEnd + 3);
  if (const size_t fragment = rest.find('#'); fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  const size_t authorityEnd = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, authorityEnd);
  if (authority.find('@') != std::string_view::npos) {
    // Checked first, and the url not echoed: it holds a password.
    return Error{
        "the url must not hold credentials (user:password@); put the Authorization header's value in the "
        "sink's authorization_file"};
  }
  const std::string scheme = lowercase(url.substr(0, schemeEnd));
  if (schemeEnd == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return Error{"the url \"" + std::string(url) + "\" must start with http:// or https://"};
  }
  out.tls = scheme == "https";
  if (authorityEnd != std::string_view::npos) {
    out.target = std::string(rest.substr(authorityEnd));
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  }
  std::string_view portText;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Error{"the url \"" + std::string(url) + "\" has an unclosed [IPv6]"};
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error{"the url \"" + std::string(url) + "\" has junk after its [IPv6]"};
      portText = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (out.host.empty()) return Error{"the url \"" + std::string(url) + "\" has no host"};
  out.port = out.tls ? 443 : 80;
  if (!portText.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (ec != std::errc() || end != portText.data() + portText.size() || value == 0 || value > 65535) {
      return Error{"the url \"" + std::string(url) + "\" has an invalid port"};
    }
    out.port = static_cast<uint16_t>(value);
  }
  const bool v6 = out.host.find(':') != std::string::npos;
  out.hostHeader = v6 ? "[" + out.host + "]" : out.host;
  if (out.port != (out.tls ? 443 : 80)) out.hostHeader += ":" + std::to_string(out.port);
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpUrl url, const HttpTlsFiles& tls,
                                                       std::chrono::milliseconds timeout) {
  std::unique_ptr<HttpClient> client(new HttpClient(std::move(url), timeout));
  if (!client->url_.tls) return client;
  try {
    client->tlsContext_.emplace(asio::ssl::context::tls_client);
  } catch (const boost::system::system_error& e) {
    return Error{std::string("create a TLS context: ") + e.what()};
  }
  asio::ssl::context& context = *client->tlsContext_;
  SSL_CTX_set_options(context.native_handle(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    return Error{"require TLS 1.2 or later: OpenSSL refused"};
  }
  ErrorCode ec;
  context.set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return Error{"enable certificate verification: " + ec.message()};
  if (tls.caFile.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) return Error{"load the system's trust store: " + ec.message()};
  } else {
    if (Status readable = fileReadable(tls.caFile, "CA file"); !readable) return readable.error();
    context.load_verify_file(tls.caFile, ec);
    if (ec) return Error{"load CA file " + tls.caFile + ": " + ec.message() + " (it must hold PEM certificates)"};
  }
  if (!tls.certFile.empty()) {
    if (Status readable = fileReadable(tls.certFile, "client certificate"); !readable) return readable.error();
    context.use_certificate_chain_file(tls.certFile, ec);
    if (ec) return Error{"load client certificate " + tls.certFile + ": " + ec.message()};
    const std::string& keyFile = tls.keyFile.empty() ? tls.certFile : tls.keyFile;
    if (Status readable = fileReadable(keyFile, "client key"); !readable) return readable.error();
    context.use_private_key_file(keyFile, asio::ssl::context::pem, ec);
    if (ec) return Error{"load client key " + keyFile + ": " + ec.message()};
  }
  ERR_clear_error();
  return client;
}

HttpClient::~HttpClient() { close(); }

beast::tcp_stream& HttpClient::tcp() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

void HttpClient::close() {
  // No TLS close_notify: the server reads the end of the TCP stream, and a
  // broken server must not hold the sink's thread.
  if (secure_ || plain_) {
    ErrorCode ignored;
    tcp().socket().close(ignored);
  }
  secure_.reset();
  plain_.reset();
  buffer_.clear();
}

std::string HttpClient::tlsFailure(const ErrorCode& ec) {
  std::string text = ec.message();
  if (secure_) {
    const long verify = SSL_get_verify_result(secure_->native_handle());
    if (verify != X509_V_OK) text += ": " + std::string(X509_verify_cert_error_string(verify));
  }
  ERR_clear_error();
  return text;
}

Status HttpClient::connect() {
  close();
  const std::string where = url_.host + ":" + std::to_string(url_.port);
  // One deadline for the lookup, the connect and the handshake.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto addresses = lookup_.addresses(deadline);
  if (!addresses) return addresses.error();

  if (url_.tls) {
    secure_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, *tlsContext_);
    SSL* ssl = secure_->native_handle();
    if (isIpLiteral(url_.host)) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str()) != 1) {
        return Error{"check the server's address " + url_.host + " on its certificate: OpenSSL refused"};
      }
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (SSL_set_tlsext_host_name(ssl, url_.host.c_str()) != 1 || SSL_set1_host(ssl, url_.host.c_str()) != 1) {
        return Error{"check the server's name " + url_.host + " on its certificate: OpenSSL refused"};
      }
    }
  } else {
    plain_ = std::make_unique<beast::tcp_stream>(io_);
  }
  tcp().expires_at(deadline);
  ErrorCode ec = runToEnd(io_, [&](auto handler) { tcp().async_connect(*addresses, std::move(handler)); });
  if (ec) {
    close();
    return Error{"connect to " + where + ": " + (ec == beast::error::timeout ? "timed out" : ec.message())};
  }
  if (secure_) {
    ec = runToEnd(io_,
                  [&](auto handler) { secure_->async_handshake(asio::ssl::stream_base::client, std::move(handler)); });
    if (ec) {
      std::string failure = ec == beast::error::timeout ? "timed out" : tlsFailure(ec);
      close();
      return Error{"TLS handshake with " + where + ": " + failure};
    }
  }
  return {};
}

Result<HttpReply> HttpClient::post(const std::string& target, std::string_view contentType,
                                   const std::string& authorization, const std::string& body) {
  const bool reused = secure_ || plain_;
  if (!reused) {
    if (Status connected = connect(); !connected) return connected.error();
  }
  bool sent = false;
  Result<HttpReply> reply = exchange(target, contentType, authorization, body, sent);
  if (!reply && reused && !sent) {
    // The server closed the idle connection; a new one is not a retry of
    // anything it received.
    if (Status connected = connect(); !connected) return connected.error();
    reply = exchange(target, contentType, authorization, body, sent);
  }
  return reply;
}

Result<HttpReply> HttpClient::exchange(const std::string& target, std::string_view contentType,
                                       const std::string& authorization, const std::string& body, bool& sent) {
  sent = false;
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, url_.hostHeader);
  request.set(http::field::user_agent, "wardend");
  request.set(http::field::content_type, contentType);
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(true);

  const std::string what = "POST " + url_.origin() + target;
  tcp().expires_after(timeout_);
  ErrorCode ec = runToEnd(io_, [&](auto handler) {
    if (secure_) {
      http::async_write(*secure_, request, std::move(handler));
    } else {
      http::async_write(*plain_, request, std::move(handler));
    }
  });
  if (ec) {
    const bool stale = isStaleConnection(ec);
    close();
    if (stale) return Error{what + ": the server closed the connection"};
    return Error{what + ": send: " + (ec == beast::error::timeout ? "timed out" : ec.message())};
  }
  sent = true;

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  ec = runToEnd(io_, [&](auto handler) {
    if (secure_) {
      http::async_read(*secure_, buffer_, parser, std::move(handler));
    } else {
      http::async_read(*plain_, buffer_, parser, std::move(handler));
    }
  });
  if (ec) {
    // Nothing of the reply came: as good as a connection the server closed
    // while idle (it may have timed it out just as we wrote).
    if (isStaleConnection(ec) && !parser.got_some()) sent = false;
    close();
    if (ec == beast::error::timeout)
      return Error{what + ": no reply within " + std::to_string(timeout_.count()) + " ms"};
    if (ec == http::error::body_limit) {
      return Error{what + ": the reply is larger than " + std::to_string(kMaxReplyBytes) + " bytes"};
    }
    return Error{what + ": read the reply: " + ec.message()};
  }
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) close();
  return HttpReply{response.result_int(), std::string(response.reason()), std::move(response.body())};
}

}  // namespace warden::audit
