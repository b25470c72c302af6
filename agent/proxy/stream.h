// One leg of a relayed connection: plain TCP or TLS over TCP. The HTTP relay
// is written once over both kinds through visit().
#pragma once

#include <utility>
#include <variant>

#include "proxy/net_types.h"

namespace warden::proxy {

class Stream {
 public:
  explicit Stream(Tcp::socket socket) : v_(std::move(socket)) {}
  // Keeps OpenSSL's record buffers for the connection's life (see stream.cpp).
  explicit Stream(TlsStream tls);

  bool isTls() const { return v_.index() == 1; }

  Tcp::socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&v_)) return tls->next_layer();
    return std::get<Tcp::socket>(v_);
  }

  TlsStream* tls() { return std::get_if<TlsStream>(&v_); }

  // Whether bytes have arrived that a read would return without waiting:
  // decrypted or still encrypted in the TLS layer, or queued in the socket.
  // Lets the relay send a header together with the body that is already
  // here, without ever holding the header back for a body still to come.
  bool hasPendingInput();

  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), v_);
  }

 private:
  std::variant<Tcp::socket, TlsStream> v_;
};

}  // namespace warden::proxy
