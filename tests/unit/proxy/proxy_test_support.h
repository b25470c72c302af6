// Shared plumbing for proxy tests: temp dirs, a fake kernel origin table,
// test CAs, TLS client helpers, and running client coroutines with a deadline.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/endpoint.h"
#include "proxy/cert_authority.h"
#include "proxy/net_types.h"
#include "proxy/proxy.h"

namespace warden::proxy::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-proxy-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Stands in for the kernel's record: tests bind the client socket first,
// register its address, then connect, exactly as the BPF side records it.
class FakeOrigins {
 public:
  OriginLookup lookup() {
    return [this](const Endpoint& client) -> std::optional<ConnectionOrigin> {
      std::lock_guard lock(mutex_);
      for (const auto& [endpoint, origin] : entries_) {
        if (endpoint == client) return origin;
      }
      return std::nullopt;
    };
  }
  void add(const Endpoint& client, ConnectionOrigin origin) {
    std::lock_guard lock(mutex_);
    entries_.emplace_back(client, std::move(origin));
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<Endpoint, ConnectionOrigin>> entries_;
};

inline ConnectionOrigin originTo(const Endpoint& dst, bool plainHttp) {
  ConnectionOrigin origin;
  origin.originalDst = dst;
  origin.plainHttpTarget = plainHttp;
  origin.identity.tgid = static_cast<uint32_t>(::getpid());
  origin.identity.pid = origin.identity.tgid;
  origin.identity.uid = ::getuid();
  origin.identity.comm = "testclient";
  return origin;
}

// An address nothing listens on: bound, then closed.
inline Endpoint closedPort() {
  asio::io_context io;
  Tcp::acceptor acceptor(io, Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return *Endpoint::parseAddress("127.0.0.1", port);
}

inline ProxyOptions testOptions() {
  ProxyOptions options;
  options.listenPort = 0;
  options.workers = 1;
  options.upstreamMark = 0;  // tests run without CAP_NET_ADMIN and without BPF
  options.upstreamConnectTimeout = 1000ms;
  options.clientHelloTimeout = 2000ms;
  options.idleTimeout = 5000ms;
  return options;
}

inline std::shared_ptr<CertAuthority> makeCa(const TempDir& dir) {
  auto ca = CertAuthority::loadOrCreate(dir.path() + "/ca");
  EXPECT_TRUE(ca.ok()) << (ca.ok() ? "" : ca.error().message);
  if (!ca.ok()) return nullptr;
  return std::shared_ptr<CertAuthority>(std::move(ca.value()));
}

// A TLS server context presenting `host`'s leaf minted by `ca`.
inline std::shared_ptr<asio::ssl::context> serverContextFor(CertAuthority& ca, const std::string& host) {
  auto leaf = ca.leafFor(host);
  EXPECT_TRUE(leaf.ok());
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  if (!leaf.ok()) return context;
  SSL_CTX_use_certificate(context->native_handle(), leaf.value()->cert.get());
  SSL_CTX_use_PrivateKey(context->native_handle(), leaf.value()->key.get());
  return context;
}

inline std::string writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// A verifying TLS client context trusting only `trusted` (nothing if null).
inline std::unique_ptr<asio::ssl::context> clientContext(X509* trusted) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_verify_mode(asio::ssl::verify_peer);
  if (trusted != nullptr) X509_STORE_add_cert(SSL_CTX_get_cert_store(context->native_handle()), trusted);
  return context;
}

// The first flight of a real TLS client for `serverName`.
inline std::string clientHelloBytes(const std::string& serverName) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_tlsext_host_name(ssl.get(), serverName.c_str());
  SSL_set_connect_state(ssl.get());
  SSL_do_handshake(ssl.get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(out, &data);
  return std::string(data, static_cast<size_t>(length));
}

// Runs a client coroutine on its own loop; false if it did not finish in time.
// Exceptions thrown by the coroutine fail the test.
inline bool runClient(std::function<asio::awaitable<void>()> body, std::chrono::milliseconds timeout = 5000ms) {
  asio::io_context io;
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(io, body(), [&](std::exception_ptr e) {
    done = true;
    failure = e;
  });
  io.run_for(timeout);
  if (failure) std::rethrow_exception(failure);
  return done;
}

// Connects to the proxy from a socket whose address is registered first.
inline asio::awaitable<Tcp::socket> dialProxy(uint16_t proxyPort, FakeOrigins* origins,
                                              const std::optional<ConnectionOrigin>& origin) {
  auto executor = co_await asio::this_coro::executor;
  Tcp::socket socket(executor);
  socket.open(Tcp::v4());
  socket.bind(Tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  if (origins != nullptr && origin) origins->add(Endpoint::fromSockaddr(socket.local_endpoint().data()), *origin);
  co_await socket.async_connect(Tcp::endpoint(asio::ip::address_v4::loopback(), proxyPort), asio::use_awaitable);
  co_return socket;
}

inline asio::awaitable<void> tlsHandshake(TlsStream& stream, const std::string& serverName, bool verifyHostName) {
  SSL_set_tlsext_host_name(stream.native_handle(), serverName.c_str());
  if (verifyHostName) SSL_set1_host(stream.native_handle(), serverName.c_str());
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
}

template <class S>
asio::awaitable<http::response<http::string_body>> roundTrip(S& stream, beast::flat_buffer& buffer,
                                                             http::request<http::string_body> request) {
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::use_awaitable);
  http::response_parser<http::string_body> parser;
  if (request.method() == http::verb::head) parser.skip(true);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  co_return parser.release();
}

inline http::request<http::string_body> makeRequest(http::verb method, const std::string& target,
                                                    const std::string& host, std::string body = "") {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, host);
  request.body() = std::move(body);
  return request;
}

// A client's WebSocket opening handshake (RFC 6455's sample key).
inline http::request<http::string_body> makeWebSocketUpgrade(const std::string& target, const std::string& host) {
  auto request = makeRequest(http::verb::get, target, host);
  request.set(http::field::connection, "Upgrade");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::sec_websocket_version, "13");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return request;
}

// Polls a condition the proxy reaches asynchronously (counters after a close).
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

}  // namespace warden::proxy::test
