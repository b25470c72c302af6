#include "proxy/stream.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>

namespace warden::proxy {

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
