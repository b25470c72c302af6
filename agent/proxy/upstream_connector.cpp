#include "proxy/upstream_connector.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <optional>
#include <string>

#include "proxy/endpoint_convert.h"
#include "proxy/watchdog.h"

namespace warden::proxy {

Result<Tcp::socket> openMarkedSocket(const asio::any_io_executor& executor, const Endpoint& dst, uint32_t mark) {
  Tcp::socket socket(executor);
  boost::system::error_code ec;
  socket.open(toAsio(dst).protocol(), ec);
  if (ec) return Error{"create a socket for upstream " + dst.toString() + ": " + ec.message()};
  // Set before connect(): the BPF connect hook reads it to tell our own
  // upstream sockets apart from the clients it must redirect.
  if (mark != 0 && ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
    return errnoError("set SO_MARK on the upstream socket (wardend needs CAP_NET_ADMIN)");
  }
  return socket;
}

asio::awaitable<Result<std::unique_ptr<UpstreamConnection>>> connectUpstream(const UpstreamKey& key,
                                                                            const UpstreamDialOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  const std::string where = key.dst.toString();
  auto opened = openMarkedSocket(executor, key.dst, options.mark);
  if (!opened) co_return opened.error();

  std::optional<Stream> stream;
  if (key.tls) {
    stream.emplace(TlsStream(std::move(opened.value()), *options.tls));
  } else {
    stream.emplace(std::move(opened.value()));
  }
  Tcp::socket& socket = stream->socket();
  Watchdog deadline(executor, options.timeout, [&socket] {
    boost::system::error_code ignored;
    socket.close(ignored);
  });

  auto [connectError] = co_await socket.async_connect(toAsio(key.dst), kUseTuple);
  if (connectError) {
    if (deadline.expired()) {
      co_return Error{"connect to upstream " + where + " timed out after " + std::to_string(options.timeout.count()) +
                      " ms"};
    }
    co_return Error{"connect to upstream " + where + ": " + connectError.message()};
  }
  boost::system::error_code ignored;
  socket.set_option(Tcp::no_delay(true), ignored);
  if (!key.tls) co_return std::make_unique<UpstreamConnection>(std::move(*stream));

  SSL* ssl = stream->tls()->native_handle();
  if (SSL_set_tlsext_host_name(ssl, key.serverName.c_str()) != 1 || SSL_set1_host(ssl, key.serverName.c_str()) != 1) {
    co_return Error{"set the TLS server name '" + key.serverName + "' for upstream " + where};
  }
  auto [handshakeError] = co_await stream->tls()->async_handshake(asio::ssl::stream_base::client, kUseTuple);
  if (handshakeError) {
    if (deadline.expired()) co_return Error{"TLS handshake with upstream " + where + " timed out"};
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      co_return Error{"verify the certificate of upstream " + key.serverName + " (" + where +
                      "): " + X509_verify_cert_error_string(verify) +
                      " (if it is signed by a private CA, add that CA to upstream.extra_ca_file)"};
    }
    co_return Error{"TLS handshake with upstream " + key.serverName + " (" + where + "): " + handshakeError.message()};
  }
  co_return std::make_unique<UpstreamConnection>(std::move(*stream));
}

}  // namespace warden::proxy
