// OpenSSL contexts for both TLS legs of an intercepted connection.
//
// Client leg: one server context per intercepted host name, holding the leaf
// minted by the CA, TLS 1.2+, ALPN answering only http/1.1 (we parse HTTP/1.1).
// Upstream leg: one client context that verifies the upstream's chain against
// the system store plus an optional extra CA file; host name checked per
// connection with SSL_set1_host.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "proxy/cert_authority.h"

namespace warden::proxy {

class ServerContexts {
 public:
  explicit ServerContexts(std::shared_ptr<CertAuthority> ca);

  // Cached per name; mints the leaf on first use. Thread-safe. The mint is a
  // few hundred microseconds of CPU; callers on an event loop post it to a
  // helper thread (see Proxy) the first time a name is seen.
  Result<std::shared_ptr<boost::asio::ssl::context>> forHost(const std::string& hostName);
  // Cached only; nullptr when the name has not been minted yet (or its leaf
  // is due for renewal).
  std::shared_ptr<boost::asio::ssl::context> cached(const std::string& hostName) const;

 private:
  struct Entry {
    std::shared_ptr<boost::asio::ssl::context> context;
    std::chrono::system_clock::time_point renewAt;
  };
  std::shared_ptr<CertAuthority> ca_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> contexts_;
};

// Verifying client context for upstream connections (ALPN http/1.1).
// extraCaFile may be empty; an unreadable or unparsable file is an error.
Result<std::shared_ptr<boost::asio::ssl::context>> makeUpstreamContext(const std::string& extraCaFile);

// Per upstream connection: SNI (omitted for IP literals, as RFC 6066 asks)
// and the name or address the peer's certificate must match.
Status setUpstreamPeerName(SSL* ssl, const std::string& hostName);

}  // namespace warden::proxy
