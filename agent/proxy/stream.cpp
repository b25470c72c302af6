#include "proxy/stream.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>

namespace warden::proxy {

// Asio turns on SSL_MODE_RELEASE_BUFFERS for every stream: OpenSSL then frees
// its 16 KiB read and write buffers whenever they run empty and allocates
// them again for the next record, six times per proxied request. That saves
// ~34 KiB per idle connection and costs every request; an agent that relays
// each request on two TLS legs keeps them.
Stream::Stream(TlsStream tls) : v_(std::move(tls)) {
  SSL_clear_mode(std::get<TlsStream>(v_).native_handle(), SSL_MODE_RELEASE_BUFFERS);
}

bool Stream::hasPendingInput() {
  if (auto* tls = this->tls()) {
    SSL* ssl = tls->native_handle();
    // Records OpenSSL holds (processed or not), then ciphertext Asio has
    // already moved from the socket into the TLS layer's read side.
    if (SSL_has_pending(ssl) == 1) return true;
    BIO* received = SSL_get_rbio(ssl);
    if (received != nullptr && BIO_ctrl_pending(received) > 0) return true;
  }
  boost::system::error_code ec;
  const size_t queued = socket().available(ec);
  return !ec && queued > 0;
}

}  // namespace warden::proxy
