// For the HTTP sink's tests: a small certificate authority made with
// OpenSSL, and an HTTP(S) receiver on 127.0.0.1 (port 0) that records each
// request and answers as the test scripts it (fail, hang, drop, close).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::audit::test {

// ---- certificates --------------------------------------------------------

struct Pem {
  std::string cert;
  std::string key;
};

class TestCa {
 public:
  explicit TestCa(const std::string& commonName) {
    key_ = newKey();
    cert_ = newCert(commonName, key_.get());
    X509_set_issuer_name(cert_.get(), X509_get_subject_name(cert_.get()));
    addExtension(cert_.get(), cert_.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert_.get(), cert_.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(cert_.get(), cert_.get(), NID_subject_key_identifier, "hash");
    EXPECT_GT(X509_sign(cert_.get(), key_.get(), EVP_sha256()), 0);
  }

  std::string certPem() const { return toPem(cert_.get()); }

  // A server certificate with `subjectAltNames`, e.g. "DNS:localhost,IP:127.0.0.1".
  Pem issue(const std::string& subjectAltNames) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key = newKey();
    std::unique_ptr<X509, decltype(&X509_free)> cert = newCert("test server", key.get());
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get()));
    addExtension(cert_.get(), cert.get(), NID_basic_constraints, "CA:FALSE");
    addExtension(cert_.get(), cert.get(), NID_subject_alt_name, subjectAltNames.c_str());
    addExtension(cert_.get(), cert.get(), NID_ext_key_usage, "serverAuth");
    addExtension(cert_.get(), cert.get(), NID_authority_key_identifier, "keyid");
    EXPECT_GT(X509_sign(cert.get(), key_.get(), EVP_sha256()), 0);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return Pem{toPem(cert.get()), drain(bio.get())};
  }

 private:
  static std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> newKey() {
    return {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free};
  }
  std::unique_ptr<X509, decltype(&X509_free)> newCert(const std::string& commonName, EVP_PKEY* key) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
    return cert;
  }
  static void addExtension(X509* issuer, X509* subject, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, subject, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    ASSERT_NE(extension, nullptr) << value;
    X509_add_ext(subject, extension, -1);
    X509_EXTENSION_free(extension);
  }
  static std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(size));
  }
  static std::string toPem(X509* cert) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), cert);
    return drain(bio.get());
  }

  long serial_ = 0;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert_{nullptr, X509_free};
};

inline std::shared_ptr<boost::asio::ssl::context> serverContext(const Pem& pem) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->use_certificate_chain(boost::asio::buffer(pem.cert));
  context->use_private_key(boost::asio::buffer(pem.key), ssl::context::pem);
  return context;
}

// ---- receiver -------------------------------------------------------------

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::string host;
  std::string contentType;
  std::string authorization;
  std::string body;
};

struct ScriptedReply {
  unsigned status = 200;
  std::string body;
  bool connectionClose = false;  // says "Connection: close" and closes
  bool closeSilently = false;    // closes after the reply without saying so
  bool drop = false;             // closes without replying
  bool hang = false;             // never replies
};

class LoopbackReceiver {
 public:
  // `handler` gets each request and its 1-based number.
  using Handler = std::function<ScriptedReply(const ReceivedRequest&, int number)>;

  explicit LoopbackReceiver(Handler handler, std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
      : handler_(std::move(handler)), tls_(std::move(tls)), acceptor_(io_) {
    namespace ip = boost::asio::ip;
    const ip::tcp::endpoint endpoint(ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~LoopbackReceiver() {
    stopping_ = true;
    // shutdown() wakes the blocked accept() and read(); close() would not.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    {
      std::lock_guard lock(mutex_);
      if (connectionFd_ >= 0) ::shutdown(connectionFd_, SHUT_RDWR);
    }
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      {
        std::lock_guard lock(mutex_);
        connectionFd_ = socket.native_handle();
      }
      // The descriptor is forgotten before the socket closes it, so the
      // destructor never shuts down a number reused meanwhile.
      if (tls_) {
        boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *tls_);
        stream.handshake(boost::asio::ssl::stream_base::server, ec);
        if (!ec) converse(stream);
        forgetConnection();
      } else {
        converse(socket);
        forgetConnection();
      }
    }
  }

  void forgetConnection() {
    std::lock_guard lock(mutex_);
    connectionFd_ = -1;
  }

  template <class Stream>
  void converse(Stream& stream) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      http::read(stream, buffer, request, ec);
      if (ec) return;
      ReceivedRequest received{std::string(request.method_string()),
                               std::string(request.target()),
                               std::string(request[http::field::host]),
                               std::string(request[http::field::content_type]),
                               std::string(request[http::field::authorization]),
                               request.body()};
      int number = 0;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(received);
        number = static_cast<int>(requests_.size());
      }
      const ScriptedReply reply = handler_(received, number);
      if (reply.drop) return;
      if (reply.hang) {
        while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, "application/json");
      response.body() = reply.body;
      response.keep_alive(!reply.connectionClose);
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec || reply.connectionClose || reply.closeSilently) return;
    }
  }

  Handler handler_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  int connectionFd_ = -1;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace warden::audit::test
