#include "proxy/tls_contexts.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "core/unique_fd.h"
#include "proxy/openssl_error.h"

namespace warden::proxy {
namespace {

namespace ssl = boost::asio::ssl;

constexpr size_t kMaxCachedContexts = 1024;
constexpr unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

std::string lowercase(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// We only speak HTTP/1.1 to the client. A client that offers only other
// protocols gets no ALPN answer (RFC 7301 lets the server ignore the
// extension) rather than a fatal no_application_protocol alert.
int selectHttp11(SSL* /*ssl*/, const unsigned char** out, unsigned char* outLength, const unsigned char* in,
                 unsigned int inLength, void* /*arg*/) {
  for (unsigned int i = 0; i < inLength;) {
    unsigned int length = in[i];
    if (i + 1 + length > inLength) break;
    if (length == sizeof(kHttp11) && std::memcmp(in + i + 1, kHttp11, sizeof(kHttp11)) == 0) {
      *out = in + i + 1;
      *outLength = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Result<std::shared_ptr<ssl::context>> makeServerContext(const LeafCertificate& leaf) {
  std::shared_ptr<ssl::context> context;
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const boost::system::system_error& e) {
    return Error{std::string("create TLS server context: ") + e.what()};
  }
  SSL_CTX* native = context->native_handle();
  // Renegotiation is a TLS 1.2 DoS vector and nothing we relay needs it.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION)) return sslError("require TLS 1.2 on client leg");
  if (SSL_CTX_use_certificate(native, leaf.cert.get()) != 1 || SSL_CTX_use_PrivateKey(native, leaf.key.get()) != 1 ||
      SSL_CTX_check_private_key(native) != 1) {
    return sslError("install minted certificate");
  }
  SSL_CTX_set_alpn_select_cb(native, selectHttp11, nullptr);
  return context;
}

}  // namespace

ServerContexts::ServerContexts(std::shared_ptr<CertAuthority> ca) : ca_(std::move(ca)) {}

Result<std::shared_ptr<ssl::context>> ServerContexts::forHost(const std::string& hostName) {
  std::string key = lowercase(hostName);
  if (auto context = cached(key)) return context;

  auto leaf = ca_->leafFor(key);
  if (!leaf) return leaf.error();
  auto context = makeServerContext(**leaf);
  if (!context) return context.error().wrap("TLS context for " + key);

  std::lock_guard lock(mutex_);
  auto it = contexts_.find(key);
  if (it == contexts_.end() && contexts_.size() >= kMaxCachedContexts) contexts_.erase(contexts_.begin());
  // A racing thread may have stored one for the same leaf; either is fine,
  // the later one wins.
  contexts_[key] = Entry{*context, (*leaf)->notAfter - kLeafRenewBefore};
  return *context;
}

std::shared_ptr<ssl::context> ServerContexts::cached(const std::string& hostName) const {
  std::lock_guard lock(mutex_);
  auto it = contexts_.find(lowercase(hostName));
  if (it == contexts_.end() || std::chrono::system_clock::now() >= it->second.renewAt) return nullptr;
  return it->second.context;
}

Result<std::shared_ptr<ssl::context>> makeUpstreamContext(const std::string& extraCaFile) {
  std::shared_ptr<ssl::context> context;
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const boost::system::system_error& e) {
    return Error{std::string("create upstream TLS context: ") + e.what()};
  }
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (!SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION)) return sslError("require TLS 1.2 upstream");

  boost::system::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) context->set_default_verify_paths(ec);
  if (ec) return Error{"load the system trust store: " + ec.message()};

  if (!extraCaFile.empty()) {
    // Checked separately so a permission problem is reported as such, not as
    // a PEM parse failure.
    UniqueFd probe(::open(extraCaFile.c_str(), O_RDONLY | O_CLOEXEC));
    if (!probe.valid()) return errnoError("open upstream CA file " + extraCaFile);
    context->load_verify_file(extraCaFile, ec);
    if (ec) {
      ERR_clear_error();
      return Error{"load upstream CA file " + extraCaFile + ": " + ec.message() + " (it must hold PEM certificates)"};
    }
  }
  // SSL_CTX_set_alpn_protos returns 0 on success, unlike most of OpenSSL.
  if (SSL_CTX_set_alpn_protos(native, kAlpnHttp11, sizeof(kAlpnHttp11)) != 0) return sslError("set upstream ALPN");
  return context;
}

Status setUpstreamPeerName(SSL* ssl, const std::string& hostName) {
  // OpenSSL takes C strings: an embedded NUL would check a shorter name.
  if (hostName.empty() || hostName.find('\0') != std::string::npos) {
    return Error{"invalid upstream server name \"" + hostName + "\""};
  }
  std::string bare = hostName;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  unsigned char addr[16];
  bool isIp = inet_pton(AF_INET, bare.c_str(), addr) == 1 || inet_pton(AF_INET6, bare.c_str(), addr) == 1;
  if (isIp) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare.c_str()) != 1) {
      return sslError("verify upstream address " + bare);
    }
    return {};
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set_tlsext_host_name(ssl, hostName.c_str()) != 1 || SSL_set1_host(ssl, hostName.c_str()) != 1) {
    return sslError("set upstream server name " + hostName);
  }
  return {};
}

}  // namespace warden::proxy
