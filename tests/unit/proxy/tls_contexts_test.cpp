#include "proxy/tls_contexts.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

namespace warden::proxy {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "warden-tls-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::shared_ptr<CertAuthority> makeCa(const std::string& dir) {
  auto ca = CertAuthority::loadOrCreate(dir);
  EXPECT_TRUE(ca) << (ca ? "" : ca.error().message);
  return ca ? std::shared_ptr<CertAuthority>(std::move(*ca)) : nullptr;
}

using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

// A client that trusts exactly one CA and nothing from the system store.
SslCtxPtr clientTrusting(const CertAuthority& ca) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.certificate());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

struct Outcome {
  bool ok = false;
  long verifyResult = X509_V_OK;
  std::string alpn;
  int version = 0;
  std::string serverError;
};

// Runs a full handshake between two SSL objects over an in-memory BIO pair.
Outcome handshake(SSL_CTX* client, SSL_CTX* server, const std::string& peerName,
                  const std::vector<std::string>& alpn = {}) {
  std::unique_ptr<SSL, decltype(&SSL_free)> c(SSL_new(client), SSL_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> s(SSL_new(server), SSL_free);
  BIO* clientBio = nullptr;
  BIO* serverBio = nullptr;
  EXPECT_EQ(BIO_new_bio_pair(&clientBio, 0, &serverBio, 0), 1);
  SSL_set_bio(c.get(), clientBio, clientBio);
  SSL_set_bio(s.get(), serverBio, serverBio);
  SSL_set_connect_state(c.get());
  SSL_set_accept_state(s.get());
  auto named = setUpstreamPeerName(c.get(), peerName);
  EXPECT_TRUE(named) << (named ? "" : named.error().message);
  if (!alpn.empty()) {
    std::vector<unsigned char> wire;
    for (const auto& p : alpn) {
      wire.push_back(static_cast<unsigned char>(p.size()));
      wire.insert(wire.end(), p.begin(), p.end());
    }
    EXPECT_EQ(SSL_set_alpn_protos(c.get(), wire.data(), static_cast<unsigned>(wire.size())), 0);
  }

  Outcome out;
  bool clientDone = false;
  bool serverDone = false;
  for (int round = 0; round < 50 && !(clientDone && serverDone); ++round) {
    if (!clientDone) {
      int rc = SSL_do_handshake(c.get());
      int err = SSL_get_error(c.get(), rc);
      if (rc == 1) {
        clientDone = true;
      } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        break;
      }
    }
    if (!serverDone) {
      int rc = SSL_do_handshake(s.get());
      int err = SSL_get_error(s.get(), rc);
      if (rc == 1) {
        serverDone = true;
      } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        out.serverError =
            ERR_reason_error_string(ERR_peek_last_error()) ? ERR_reason_error_string(ERR_peek_last_error()) : "unknown";
        break;
      }
    }
  }
  ERR_clear_error();
  out.ok = clientDone && serverDone;
  out.verifyResult = SSL_get_verify_result(c.get());
  const unsigned char* selected = nullptr;
  unsigned int selectedLength = 0;
  SSL_get0_alpn_selected(c.get(), &selected, &selectedLength);
  out.alpn.assign(reinterpret_cast<const char*>(selected), selectedLength);
  out.version = SSL_version(c.get());
  return out;
}

SSL_CTX* serverFor(ServerContexts& contexts, const std::string& name) {
  auto context = contexts.forHost(name);
  EXPECT_TRUE(context) << (context ? "" : context.error().message);
  return context ? (*context)->native_handle() : nullptr;
}

TEST(TlsContexts, HandshakeSucceedsForTheMintedNameWithHttp11) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  SSL_CTX* server = serverFor(contexts, "api.openai.com");
  ASSERT_TRUE(server);
  auto client = clientTrusting(*ca);

  Outcome out = handshake(client.get(), server, "api.openai.com", {"h2", "http/1.1"});
  EXPECT_TRUE(out.ok) << out.serverError;
  EXPECT_EQ(out.verifyResult, X509_V_OK);
  EXPECT_EQ(out.alpn, "http/1.1");
  EXPECT_EQ(out.version, TLS1_3_VERSION);
}

TEST(TlsContexts, HandshakeFailsForAnotherName) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  auto client = clientTrusting(*ca);
  Outcome out = handshake(client.get(), serverFor(contexts, "api.openai.com"), "api.anthropic.com");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.verifyResult, X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST(TlsContexts, HandshakeFailsForAClientTrustingAnotherCa) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  auto other = makeCa(tmp / "other");
  ASSERT_TRUE(ca && other);
  ServerContexts contexts(ca);
  auto client = clientTrusting(*other);
  Outcome out = handshake(client.get(), serverFor(contexts, "api.openai.com"), "api.openai.com", {"http/1.1"});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.verifyResult, X509_V_OK);
}

TEST(TlsContexts, ClientWithoutHttp11GetsNoAlpnAnswer) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  auto client = clientTrusting(*ca);
  Outcome out = handshake(client.get(), serverFor(contexts, "api.openai.com"), "api.openai.com", {"h2", "spdy/3"});
  EXPECT_TRUE(out.ok) << out.serverError;
  EXPECT_EQ(out.alpn, "");
  Outcome none = handshake(client.get(), serverFor(contexts, "api.openai.com"), "api.openai.com");
  EXPECT_TRUE(none.ok) << none.serverError;
  EXPECT_EQ(none.alpn, "");
}

TEST(TlsContexts, ServerRefusesTlsOlderThan12) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  SSL_CTX* server = serverFor(contexts, "api.openai.com");

  auto tls12 = clientTrusting(*ca);
  SSL_CTX_set_max_proto_version(tls12.get(), TLS1_2_VERSION);
  Outcome ok = handshake(tls12.get(), server, "api.openai.com", {"http/1.1"});
  EXPECT_TRUE(ok.ok) << ok.serverError;
  EXPECT_EQ(ok.version, TLS1_2_VERSION);
  EXPECT_EQ(ok.alpn, "http/1.1");

  // The client side has to be talked into TLS 1.1 first (security level 0),
  // so that it is the server that refuses.
  auto tls11 = clientTrusting(*ca);
  SSL_CTX_set_security_level(tls11.get(), 0);
  SSL_CTX_set_cipher_list(tls11.get(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(tls11.get(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(tls11.get(), TLS1_1_VERSION);
  Outcome refused = handshake(tls11.get(), server, "api.openai.com");
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.serverError, "unsupported protocol");
}

TEST(TlsContexts, ContextsAreCachedPerName) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  EXPECT_EQ(contexts.cached("api.openai.com"), nullptr);
  auto first = contexts.forHost("api.openai.com");
  ASSERT_TRUE(first);
  EXPECT_EQ(contexts.cached("api.openai.com"), *first);
  EXPECT_EQ(contexts.cached("API.OPENAI.COM"), *first);
  auto again = contexts.forHost("Api.OpenAI.com");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(contexts.cached("api.anthropic.com"), nullptr);
  EXPECT_FALSE(contexts.forHost("not a name"));
}

TEST(TlsContexts, UpstreamContextTrustsTheExtraCaFileAndOffersHttp11) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  auto upstream = makeUpstreamContext(tmp / "state/ca.crt");
  ASSERT_TRUE(upstream) << upstream.error().message;
  Outcome out = handshake((*upstream)->native_handle(), serverFor(contexts, "llm.internal"), "llm.internal");
  EXPECT_TRUE(out.ok) << out.serverError;
  EXPECT_EQ(out.alpn, "http/1.1");

  Outcome wrongName = handshake((*upstream)->native_handle(), serverFor(contexts, "llm.internal"), "other.internal");
  EXPECT_FALSE(wrongName.ok);

  // An IP literal is checked against the iPAddress SAN.
  Outcome byIp = handshake((*upstream)->native_handle(), serverFor(contexts, "127.0.0.1"), "127.0.0.1");
  EXPECT_TRUE(byIp.ok) << byIp.serverError;
  Outcome wrongIp = handshake((*upstream)->native_handle(), serverFor(contexts, "127.0.0.1"), "127.0.0.2");
  EXPECT_FALSE(wrongIp.ok);
  EXPECT_EQ(wrongIp.verifyResult, X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST(TlsContexts, UpstreamContextWithoutExtraCaDoesNotTrustWarden) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  auto upstream = makeUpstreamContext("");
  ASSERT_TRUE(upstream) << upstream.error().message;
  Outcome out = handshake((*upstream)->native_handle(), serverFor(contexts, "api.openai.com"), "api.openai.com");
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.verifyResult, X509_V_OK);
}

TEST(TlsContexts, UpstreamContextReportsABadExtraCaFile) {
  TempDir tmp;
  auto missing = makeUpstreamContext(tmp / "nope.pem");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(tmp / "nope.pem"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;

  std::ofstream(tmp / "garbage.pem") << "this is not PEM\n";
  auto garbage = makeUpstreamContext(tmp / "garbage.pem");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("load upstream CA file " + (tmp / "garbage.pem")), std::string::npos)
      << garbage.error().message;
}

TEST(TlsContexts, PeerNameWithNulIsRefused) {
  auto upstream = makeUpstreamContext("");
  ASSERT_TRUE(upstream);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new((*upstream)->native_handle()), SSL_free);
  EXPECT_FALSE(setUpstreamPeerName(ssl.get(), std::string("api.openai.com\0.evil", 20)));
  EXPECT_FALSE(setUpstreamPeerName(ssl.get(), ""));
}

// The contexts as the proxy uses them: Asio streams over loopback TCP.
TEST(TlsContexts, AsioStreamsTalkOverLoopback) {
  TempDir tmp;
  auto ca = makeCa(tmp / "state");
  ASSERT_TRUE(ca);
  ServerContexts contexts(ca);
  auto serverContext = contexts.forHost("api.openai.com");
  auto clientContext = makeUpstreamContext(tmp / "state/ca.crt");
  ASSERT_TRUE(serverContext && clientContext);

  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto endpoint = acceptor.local_endpoint();

  boost::system::error_code serverEc;
  std::string received;
  std::thread server([&] {
    asio::ssl::stream<asio::ip::tcp::socket> stream(io, **serverContext);
    acceptor.accept(stream.next_layer(), serverEc);
    if (!serverEc) stream.handshake(asio::ssl::stream_base::server, serverEc);
    if (serverEc) return;
    std::string buf(4, '\0');
    asio::read(stream, asio::buffer(buf), serverEc);
    received = buf;
    if (!serverEc) asio::write(stream, asio::buffer(std::string("pong")), serverEc);
    boost::system::error_code ignored;  // the client may close without close_notify
    stream.shutdown(ignored);
  });

  asio::io_context clientIo;
  asio::ssl::stream<asio::ip::tcp::socket> client(clientIo, **clientContext);
  // No ASSERTs until the server thread is joined: it must see a connection.
  auto named = setUpstreamPeerName(client.native_handle(), "api.openai.com");
  EXPECT_TRUE(named);
  boost::system::error_code ec;
  client.next_layer().connect(endpoint, ec);
  EXPECT_FALSE(ec) << ec.message();
  if (!ec) client.handshake(asio::ssl::stream_base::client, ec);
  EXPECT_FALSE(ec) << ec.message();
  std::string reply(4, '\0');
  if (!ec) {
    asio::write(client, asio::buffer(std::string("ping")), ec);
    asio::read(client, asio::buffer(reply), ec);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpnLength = 0;
  SSL_get0_alpn_selected(client.native_handle(), &alpn, &alpnLength);
  client.next_layer().close(ec);
  server.join();

  EXPECT_FALSE(serverEc) << serverEc.message();
  EXPECT_EQ(received, "ping");
  EXPECT_EQ(reply, "pong");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(alpn), alpnLength), "http/1.1");
}

}  // namespace
}  // namespace warden::proxy
