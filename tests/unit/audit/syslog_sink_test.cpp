// The syslog sink against a receiver in this test: a loopback TCP/TLS
// server (port 0, certificates made here with OpenSSL) that parses the
// octet-counted frames the sink sends.
#include "layers/audit/sinks/syslog_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/audit/sinks/syslog_message.h"

namespace warden::audit {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// ---- certificates -----------------------------------------------------

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertPtr = std::unique_ptr<X509, CertDeleter>;

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A CA certificate when `issuer` is null (self-signed), else a server
// certificate for `san` signed by it.
CertPtr makeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuerKey, const std::string& san) {
  static long serial = 1;
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer) {
    addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    addExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    addExtension(cert.get(), signer, NID_subject_alt_name, san);
  } else {
    addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  EXPECT_GT(X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()), 0);
  return cert;
}

void writePem(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  PEM_write_X509(f, cert);
  std::fclose(f);
}

void writePem(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

// ca.crt signs server.crt (syslog.test and 127.0.0.1) and dns-only.crt
// (syslog.test alone); other-ca.crt signs nothing the receiver presents.
struct Pki {
  explicit Pki(const std::string& dir) {
    KeyPtr caKey(EVP_EC_gen("P-256"));
    CertPtr ca = makeCert(caKey.get(), "warden test syslog CA", nullptr, nullptr, "");
    writePem(dir + "/ca.crt", ca.get());
    KeyPtr otherKey(EVP_EC_gen("P-256"));
    CertPtr other = makeCert(otherKey.get(), "some other CA", nullptr, nullptr, "");
    writePem(dir + "/other-ca.crt", other.get());

    KeyPtr serverKey(EVP_EC_gen("P-256"));
    writePem(dir + "/server.key", serverKey.get());
    CertPtr server = makeCert(serverKey.get(), "syslog.test", ca.get(), caKey.get(), "DNS:syslog.test,IP:127.0.0.1");
    writePem(dir + "/server.crt", server.get());
    CertPtr dnsOnly = makeCert(serverKey.get(), "syslog.test", ca.get(), caKey.get(), "DNS:syslog.test");
    writePem(dir + "/dns-only.crt", dnsOnly.get());

    caFile = dir + "/ca.crt";
    otherCaFile = dir + "/other-ca.crt";
    serverCert = dir + "/server.crt";
    dnsOnlyCert = dir + "/dns-only.crt";
    serverKeyFile = dir + "/server.key";
  }
  std::string caFile, otherCaFile, serverCert, dnsOnlyCert, serverKeyFile;
};

// ---- the receiver -----------------------------------------------------

class TestReceiver {
 public:
  // TLS with certFile/keyFile, plain TCP when certFile is empty. Port 0
  // picks a free one; a given port lets a "restarted" receiver take over.
  TestReceiver(const std::string& certFile, const std::string& keyFile, uint16_t port = 0) {
    if (!certFile.empty()) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx_, certFile.c_str()), 1);
      EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx_, keyFile.c_str(), SSL_FILETYPE_PEM), 1);
    }
    listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    EXPECT_EQ(::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
    EXPECT_EQ(::listen(listenFd_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }

  ~TestReceiver() {
    stopping_ = true;
    ::shutdown(listenFd_, SHUT_RDWR);
    closeConnection();
    thread_.join();
    ::close(listenFd_);
    if (ctx_) SSL_CTX_free(ctx_);
  }

  uint16_t port() const { return port_; }
  // The next connection is dropped, unread data and all (a reset), once
  // this many frames have come in.
  void dropAfterFrames(size_t frames) { dropAfter_ = frames; }
  // Connections stop being read after the handshake.
  void stall(bool on) { stall_ = on; }

  // Ends the current connection with a FIN, as a receiver restarting would.
  void closeConnection() {
    std::lock_guard lock(mutex_);
    if (connFd_ >= 0) ::shutdown(connFd_, SHUT_RDWR);
  }

  // Polls: conditions read the receiver through its locking accessors.
  static bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  bool waitForMessages(size_t count) {
    return waitFor([&] { return messages().size() >= count; });
  }

  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  // Connections the client ended with a TLS close_notify.
  int closeNotifies() {
    std::lock_guard lock(mutex_);
    return closeNotifies_;
  }
  int handshakeFailures() {
    std::lock_guard lock(mutex_);
    return handshakeFailures_;
  }
  std::string frameError() {
    std::lock_guard lock(mutex_);
    return frameError_;
  }

 private:
  void run() {
    while (!stopping_) {
      const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;  // shut down (stopping_), or a transient error
      {
        std::lock_guard lock(mutex_);
        connFd_ = fd;
        ++accepted_;
      }
      serve(fd);
      {
        std::lock_guard lock(mutex_);
        connFd_ = -1;
        ::close(fd);
        ++closed_;
      }
    }
  }

  void serve(int fd) {
    SSL* ssl = nullptr;
    if (ctx_) {
      ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        std::lock_guard lock(mutex_);
        ++handshakeFailures_;
        SSL_free(ssl);
        return;
      }
    }
    const size_t dropAfter = dropAfter_.exchange(0);
    size_t frames = 0;
    std::string buffer;
    char chunk[16384];
    while (!stopping_) {
      if (stall_) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      const int n = ssl ? SSL_read(ssl, chunk, sizeof(chunk)) : static_cast<int>(::read(fd, chunk, sizeof(chunk)));
      if (n <= 0) {
        if (ssl && SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN) {
          std::lock_guard lock(mutex_);
          ++closeNotifies_;
        }
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
      frames += parseFrames(buffer);
      if (dropAfter > 0 && frames >= dropAfter) {
        // Unread data in the socket makes close() send a reset.
        SSL_free(ssl);
        ssl = nullptr;
        return;
      }
    }
    if (ssl) SSL_free(ssl);
  }

  // Moves the complete frames at the front of `buffer` into messages_.
  size_t parseFrames(std::string& buffer) {
    size_t count = 0;
    size_t pos = 0;
    for (;;) {
      const size_t space = buffer.find(' ', pos);
      if (space == std::string::npos) break;
      const std::string length = buffer.substr(pos, space - pos);
      if (length.empty() || length[0] == '0' || length.find_first_not_of("0123456789") != std::string::npos) {
        std::lock_guard lock(mutex_);
        frameError_ = "bad MSG-LEN '" + length.substr(0, 20) + "'";
        buffer.clear();
        return count;
      }
      const size_t size = std::stoul(length);
      if (buffer.size() < space + 1 + size) break;
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(buffer.substr(space + 1, size));
      }
      ++count;
      pos = space + 1 + size;
    }
    buffer.erase(0, pos);
    return count;
  }

  SSL_CTX* ctx_ = nullptr;
  int listenFd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> dropAfter_{0};
  std::atomic<bool> stall_{false};
  std::mutex mutex_;  // guards what follows
  int connFd_ = -1;
  int accepted_ = 0;
  int closed_ = 0;
  int handshakeFailures_ = 0;
  int closeNotifies_ = 0;
  std::vector<std::string> messages_;
  std::string frameError_;
};

// ---- what a received message says ------------------------------------

struct Parsed {
  std::string pri, timestamp, host, app, procId, msgId, sd, msg;
};

// Splits an RFC 5424 message whose SD is "-" or one element.
Parsed parse(const std::string& message) {
  Parsed p;
  size_t pos = 0;
  auto field = [&] {
    const size_t space = message.find(' ', pos);
    std::string out = message.substr(pos, space - pos);
    pos = space == std::string::npos ? message.size() : space + 1;
    return out;
  };
  p.pri = field();
  p.timestamp = field();
  p.host = field();
  p.app = field();
  p.procId = field();
  p.msgId = field();
  if (message.compare(pos, 1, "[") == 0) {
    size_t end = pos + 1;
    while (end < message.size() && message[end] != ']') end += message[end] == '\\' ? 2 : 1;
    p.sd = message.substr(pos, end + 1 - pos);
    pos = end + 2;
  } else {
    p.sd = field();
  }
  p.msg = message.substr(std::min(pos, message.size()));
  return p;
}

// ---- the tests ---------------------------------------------------------

std::string eventLine(size_t n, size_t padding = 0) {
  nlohmann::json event = {{"schema", "warden.event/v1"},
                          {"type", "request"},
                          {"id", "id-" + std::to_string(n)},
                          {"time", "2026-11-23T04:09:35.300123456Z"},
                          {"host", "node-1"},
                          {"decision", n % 2 ? "deny" : "allow"},
                          {"note", std::string(padding, 'x')}};
  return event.dump();
}

class SyslogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);  // the receiver's SSL writes to clients that went away
    char tmpl[] = "/tmp/warden-syslog-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    pki_ = std::make_unique<Pki>(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SinkConfig config(uint16_t port) const {
    SinkConfig c;
    c.name = "siem";
    c.type = SinkType::Syslog;
    c.address = "127.0.0.1:" + std::to_string(port);
    c.tls = true;
    c.caFile = pki_->caFile;
    c.timeout = 2000ms;
    return c;
  }

  static std::unique_ptr<SyslogSink> openSink(const SinkConfig& c) {
    auto sink = SyslogSink::open(c);
    EXPECT_TRUE(sink) << sink.error().message;
    return sink ? std::move(*sink) : nullptr;
  }

  static Status deliver(SyslogSink& sink, const std::vector<std::string>& lines) {
    std::vector<std::string_view> views(lines.begin(), lines.end());
    return sink.deliver(views);
  }

  std::string dir_;
  std::unique_ptr<Pki> pki_;
};

TEST_F(SyslogSinkTest, EveryLineArrivesAsOneRfc5424MessageOverVerifiedTls) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  auto sink = openSink(config(receiver.port()));
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->describe(), "syslog tls://127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(receiver.accepted(), 0);  // open() does not connect

  const std::vector<std::string> lines = {
      eventLine(0), eventLine(1),
      R"({"host":"node-1","id":"c\"k]","time":"2026-11-23T04:10:00Z","type":"checkpoint"})"};
  ASSERT_TRUE(deliver(*sink, lines));
  ASSERT_TRUE(receiver.waitForMessages(3));
  const auto messages = receiver.messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(receiver.frameError(), "");

  const std::string pid = std::to_string(::getpid());
  for (size_t i = 0; i < 2; ++i) {
    const Parsed p = parse(messages[i]);
    EXPECT_EQ(p.pri, i == 0 ? "<109>1" : "<108>1") << messages[i];  // notice for allow, warning for deny
    EXPECT_EQ(p.timestamp, "2026-11-23T04:09:35.300123Z");
    EXPECT_EQ(p.host, "node-1");
    EXPECT_EQ(p.app, "wardend");
    EXPECT_EQ(p.procId, pid);
    EXPECT_EQ(p.msgId, "request");
    EXPECT_EQ(p.sd, "[warden@32473 id=\"id-" + std::to_string(i) + "\"]");
    EXPECT_EQ(p.msg, std::string(kBom) + lines[i]);
  }
  const Parsed checkpoint = parse(messages[2]);
  EXPECT_EQ(checkpoint.pri, "<110>1");
  EXPECT_EQ(checkpoint.timestamp, "2026-11-23T04:10:00Z");
  EXPECT_EQ(checkpoint.msgId, "checkpoint");
  EXPECT_EQ(checkpoint.sd, R"([warden@32473 id="c\"k\]"])");
  EXPECT_EQ(checkpoint.msg, std::string(kBom) + lines[2]);

  // The connection is kept for the next batch.
  ASSERT_TRUE(deliver(*sink, {eventLine(3)}));
  ASSERT_TRUE(receiver.waitForMessages(4));
  EXPECT_EQ(receiver.accepted(), 1);
}

TEST_F(SyslogSinkTest, ANameOnTheCertificateIsCheckedWhenServerNameIsSet) {
  TestReceiver receiver(pki_->dnsOnlyCert, pki_->serverKeyFile);
  SinkConfig c = config(receiver.port());
  c.serverName = "syslog.test";
  auto sink = openSink(c);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(deliver(*sink, {eventLine(0)}));
  EXPECT_TRUE(receiver.waitForMessages(1));
}

TEST_F(SyslogSinkTest, ACertificateFromAnotherCaIsRefused) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  SinkConfig c = config(receiver.port());
  c.caFile = pki_->otherCaFile;
  auto sink = openSink(c);
  ASSERT_TRUE(sink);
  const Status status = deliver(*sink, {eventLine(0)});
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("did not verify"), std::string::npos) << status.error().message;
  EXPECT_NE(status.error().message.find("unable to get local issuer certificate"), std::string::npos)
      << status.error().message;
  EXPECT_TRUE(receiver.waitFor([&] { return receiver.handshakeFailures() == 1; }));
  EXPECT_TRUE(receiver.messages().empty());
}

TEST_F(SyslogSinkTest, ACertificateForAnotherNameIsRefused) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  SinkConfig c = config(receiver.port());
  c.serverName = "siem.example.com";
  auto sink = openSink(c);
  ASSERT_TRUE(sink);
  const Status status = deliver(*sink, {eventLine(0)});
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("hostname mismatch"), std::string::npos) << status.error().message;
  EXPECT_TRUE(receiver.messages().empty());
}

TEST_F(SyslogSinkTest, AnAddressMustBeAnIpSanOfTheCertificate) {
  TestReceiver receiver(pki_->dnsOnlyCert, pki_->serverKeyFile);
  auto sink = openSink(config(receiver.port()));  // 127.0.0.1, no server_name
  ASSERT_TRUE(sink);
  const Status status = deliver(*sink, {eventLine(0)});
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("IP address mismatch"), std::string::npos) << status.error().message;
  EXPECT_TRUE(receiver.messages().empty());
}

TEST_F(SyslogSinkTest, AReceiverThatClosedWhileIdleIsReconnectedToBeforeTheBatch) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  auto sink = openSink(config(receiver.port()));
  ASSERT_TRUE(sink);
  ASSERT_TRUE(deliver(*sink, {eventLine(0)}));
  ASSERT_TRUE(receiver.waitForMessages(1));
  receiver.closeConnection();
  ASSERT_TRUE(receiver.waitFor([&] { return receiver.closed() == 1; }));

  ASSERT_TRUE(deliver(*sink, {eventLine(1), eventLine(2)}));
  ASSERT_TRUE(receiver.waitForMessages(3));
  EXPECT_EQ(receiver.accepted(), 2);
  EXPECT_EQ(parse(receiver.messages()[2]).sd, "[warden@32473 id=\"id-2\"]");
}

TEST_F(SyslogSinkTest, AReceiverThatDropsTheConnectionMidBatchFailsItAndTheNextDeliverReconnects) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  receiver.dropAfterFrames(1);
  auto sink = openSink(config(receiver.port()));
  ASSERT_TRUE(sink);
  // More than the socket buffers hold, so the drop happens while it is sent.
  std::vector<std::string> batch;
  for (size_t i = 0; i < 500; ++i) batch.push_back(eventLine(i, 4000));

  const Status failed = deliver(*sink, batch);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("127.0.0.1:" + std::to_string(receiver.port())), std::string::npos)
      << failed.error().message;
  ASSERT_TRUE(receiver.waitFor([&] { return receiver.closed() == 1; }));
  const size_t before = receiver.messages().size();
  EXPECT_LT(before, batch.size());

  // The runner sends the same batch again: all of it arrives, over a new connection.
  ASSERT_TRUE(deliver(*sink, batch));
  ASSERT_TRUE(receiver.waitForMessages(before + batch.size()));
  EXPECT_EQ(receiver.accepted(), 2);
  const auto messages = receiver.messages();
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(parse(messages[before + i]).msg, std::string(kBom) + batch[i]) << i;
  }
}

TEST_F(SyslogSinkTest, AReceiverThatIsDownFailsTheBatchUntilItIsBack) {
  uint16_t port = 0;
  {
    TestReceiver first(pki_->serverCert, pki_->serverKeyFile);
    port = first.port();
  }
  auto sink = openSink(config(port));
  ASSERT_TRUE(sink);
  const Status refused = deliver(*sink, {eventLine(0)});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Connection refused"), std::string::npos) << refused.error().message;

  TestReceiver again(pki_->serverCert, pki_->serverKeyFile, port);
  ASSERT_TRUE(deliver(*sink, {eventLine(0)}));
  ASSERT_TRUE(again.waitForMessages(1));
  EXPECT_EQ(parse(again.messages()[0]).sd, "[warden@32473 id=\"id-0\"]");
}

TEST_F(SyslogSinkTest, AReceiverThatStopsReadingTimesTheBatchOut) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  receiver.stall(true);
  SinkConfig c = config(receiver.port());
  c.timeout = 300ms;
  auto sink = openSink(c);
  ASSERT_TRUE(sink);
  std::vector<std::string> batch;
  for (size_t i = 0; i < 500; ++i) batch.push_back(eventLine(i, 4000));

  const auto start = std::chrono::steady_clock::now();
  const Status status = deliver(*sink, batch);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("within 300 ms"), std::string::npos) << status.error().message;
  EXPECT_LT(took, 2000ms);
  receiver.stall(false);
}

TEST_F(SyslogSinkTest, ResetAndDestructionEndTheConnectionWithACloseNotify) {
  TestReceiver receiver(pki_->serverCert, pki_->serverKeyFile);
  auto sink = openSink(config(receiver.port()));
  ASSERT_TRUE(sink);
  ASSERT_TRUE(deliver(*sink, {eventLine(0)}));
  sink->reset();
  ASSERT_TRUE(receiver.waitFor([&] { return receiver.closed() == 1; }));
  EXPECT_EQ(receiver.closeNotifies(), 1);
  ASSERT_TRUE(deliver(*sink, {eventLine(1)}));
  ASSERT_TRUE(receiver.waitForMessages(2));
  EXPECT_EQ(receiver.accepted(), 2);
  sink.reset();
  ASSERT_TRUE(receiver.waitFor([&] { return receiver.closed() == 2; }));
  EXPECT_EQ(receiver.closeNotifies(), 2);
}

TEST_F(SyslogSinkTest, PlainTcpSendsTheSameFrames) {
  TestReceiver receiver("", "");
  SinkConfig c = config(receiver.port());
  c.tls = false;
  c.caFile.clear();
  auto sink = openSink(c);
  ASSERT_TRUE(sink);
  EXPECT_EQ(sink->describe(), "syslog tcp://127.0.0.1:" + std::to_string(receiver.port()));
  ASSERT_TRUE(deliver(*sink, {eventLine(0), eventLine(1)}));
  ASSERT_TRUE(receiver.waitForMessages(2));
  EXPECT_EQ(receiver.messages()[1], syslogMessage(eventLine(1), static_cast<uint32_t>(::getpid())));
}

TEST_F(SyslogSinkTest, OpenRefusesWhatCannotWork) {
  auto openError = [&](const SinkConfig& c) {
    auto sink = SyslogSink::open(c);
    return sink ? std::string() : sink.error().message;
  };
  SinkConfig c = config(6514);
  c.address = "siem.example.com";
  EXPECT_NE(openError(c).find("has no port"), std::string::npos);
  c.address = "2001:db8::1:6514";
  EXPECT_NE(openError(c).find("in brackets"), std::string::npos);
  c.address = "siem.example.com:70000";
  EXPECT_NE(openError(c).find("no valid port"), std::string::npos);
  c.address = "[2001:db8::1]:6514";
  EXPECT_EQ(openError(c), "");
  EXPECT_EQ(SyslogSink::open(c).value()->describe(), "syslog tls://[2001:db8::1]:6514");

  c = config(6514);
  c.caFile = dir_ + "/missing.pem";
  EXPECT_NE(openError(c).find("load ca_file " + dir_ + "/missing.pem"), std::string::npos) << openError(c);
  c = config(6514);
  c.certFile = pki_->serverCert;
  EXPECT_NE(openError(c).find("cert_file and key_file go together"), std::string::npos);
  c.keyFile = pki_->serverKeyFile;
  EXPECT_EQ(openError(c), "");  // a client certificate
  c = config(6514);
  c.tls = false;
  EXPECT_NE(openError(c).find("apply to TLS only"), std::string::npos);
  c = config(6514);
  c.type = SinkType::File;
  EXPECT_NE(openError(c).find("not a syslog sink"), std::string::npos);
}

}  // namespace
}  // namespace warden::audit
