#include "layers/audit/sinks/syslog_connection.h"

#include <linux/sockios.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <array>
#include <exception>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>

#include "core/log.h"

namespace warden::audit {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

constexpr std::chrono::milliseconds kFirstAckPoll{1};
constexpr std::chrono::milliseconds kMaxAckPoll{50};
constexpr std::chrono::milliseconds kShutdownWait{250};

std::string millis(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

bool isIpAddress(const std::string& text) {
  error_code ec;
  asio::ip::make_address(text, ec);
  return !ec;
}

Result<ssl::context> makeTlsContext(const SyslogTarget& target) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  error_code ec;
  context.set_verify_mode(ssl::verify_peer, ec);
  if (target.caFile.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) return Error{"load the system's trust store: " + ec.message() + " (or set ca_file)"};
  } else {
    context.load_verify_file(target.caFile, ec);
    if (ec) {
      return Error{"load ca_file " + target.caFile + ": " + ec.message() +
                   " (it must be a PEM file of the CA that signed the syslog server's certificate)"};
    }
  }
  if (!target.certFile.empty()) {
    context.use_certificate_chain_file(target.certFile, ec);
    if (ec) return Error{"load cert_file " + target.certFile + ": " + ec.message() + " (a PEM certificate chain)"};
    context.use_private_key_file(target.keyFile, ssl::context::pem, ec);
    if (ec) return Error{"load key_file " + target.keyFile + ": " + ec.message() + " (a PEM private key)"};
    if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
      return Error{"key_file " + target.keyFile + " is not the key of cert_file " + target.certFile};
    }
  }
  return context;
}

}  // namespace

struct SyslogConnection::Stream {
  std::optional<ssl::stream<Tcp::socket>> secure;
  std::optional<Tcp::socket> plain;
  int pending = 0;                      // started operations whose handlers have not run
  std::optional<error_code> closedBy;   // why the receiver's side ended
  std::array<char, 512> watchBuffer{};  // what a receiver sends is read and ignored

  Tcp::socket& socket() { return secure ? secure->next_layer() : *plain; }
  template <class F>
  void withStream(F&& f) {
    if (secure) {
      f(*secure);
    } else {
      f(*plain);
    }
  }
};

Result<std::unique_ptr<SyslogConnection>> SyslogConnection::create(SyslogTarget target) {
  try {
    std::optional<ssl::context> tls;
    if (target.tls) {
      auto context = makeTlsContext(target);
      ERR_clear_error();
      if (!context) return context.error();
      tls.emplace(std::move(*context));
    }
    return std::unique_ptr<SyslogConnection>(new SyslogConnection(std::move(target), std::move(tls)));
  } catch (const std::exception& e) {
    ERR_clear_error();
    return Error{std::string("set up the syslog connection: ") + e.what()};
  }
}

SyslogConnection::SyslogConnection(SyslogTarget target, std::optional<ssl::context> tls)
    : target_(std::move(target)), lookup_(target_.host, target_.port, "syslog receiver"), tls_(std::move(tls)) {}

SyslogConnection::~SyslogConnection() {
  try {
    shutdown();
  } catch (const std::exception&) {
    // The reactor failed: the socket is closed with the io_context anyway.
  }
}

Status SyslogConnection::send(std::string_view bytes) {
  if (stream_ && !stillOpen()) {
    logger("audit")->info("syslog receiver {} closed the connection ({}); reconnecting", where(),
                          stream_->closedBy->message());
    close();
  }
  if (!stream_) {
    if (auto status = connect(); !status) return status;
  }
  const auto deadline = Clock::now() + target_.timeout;
  if (auto status = write(bytes, deadline); !status) return status;
  return awaitAcknowledged(deadline);
}

void SyslogConnection::shutdown() {
  if (stream_ && stream_->secure && stillOpen()) {
    // The close_notify exchange reads too: the watching read goes first.
    error_code ignored;
    stream_->socket().cancel(ignored);
    io_.restart();
    while (stream_->pending > 0 && io_.run_one() > 0) {
    }
    bool done = false;
    ++stream_->pending;
    stream_->secure->async_shutdown([&](const error_code&) {
      --stream_->pending;
      done = true;
    });
    runUntil(done, Clock::now() + std::min<std::chrono::milliseconds>(target_.timeout, kShutdownWait));
  }
  close();
}

void SyslogConnection::close() {
  if (!stream_) return;
  error_code ignored;
  stream_->socket().close(ignored);  // aborts what is pending; its handlers still have to run
  io_.restart();
  while (stream_->pending > 0 && io_.run_one() > 0) {
  }
  stream_.reset();
  ERR_clear_error();
}

Status SyslogConnection::connect() {
  const auto deadline = Clock::now() + target_.timeout;
  auto endpoints = lookup_.addresses(deadline);
  if (!endpoints) return endpoints.error();

  stream_ = std::make_unique<Stream>();
  if (tls_) {
    stream_->secure.emplace(io_, *tls_);
  } else {
    stream_->plain.emplace(io_);
  }
  bool done = false;
  error_code ec;
  ++stream_->pending;
  asio::async_connect(stream_->socket(), *endpoints, [&](const error_code& e, const Tcp::endpoint&) {
    --stream_->pending;
    ec = e;
    done = true;
  });
  if (!runUntil(done, deadline)) {
    close();
    return Error{"connect to syslog receiver " + where() + ": no answer within " + millis(target_.timeout)};
  }
  if (ec) {
    close();
    return Error{"connect to syslog receiver " + where() + ": " + ec.message()};
  }
  error_code ignored;
  // Batches are written whole, then awaited: nothing is gained by holding
  // back their last segment.
  stream_->socket().set_option(Tcp::no_delay(true), ignored);
  if (tls_) {
    if (auto status = handshake(deadline); !status) {
      close();
      return status;
    }
  }
  watchForClose();
  logger("audit")->info("connected to syslog receiver {}{}", where(), tls_ ? " (TLS, certificate verified)" : "");
  return {};
}

Status SyslogConnection::handshake(Clock::time_point deadline) {
  SSL* ssl = stream_->secure->native_handle();
  const std::string& name = target_.verifyName;
  if (isIpAddress(name)) {
    // No SNI for addresses (RFC 6066 §3); the certificate must list it as an IP SAN.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) {
      return Error{"set the address " + name + " to verify on the syslog receiver's certificate"};
    }
  } else if (SSL_set_tlsext_host_name(ssl, name.c_str()) != 1 || SSL_set1_host(ssl, name.c_str()) != 1) {
    return Error{"set the name " + name + " to verify on the syslog receiver's certificate"};
  }
  bool done = false;
  error_code ec;
  ++stream_->pending;
  stream_->secure->async_handshake(ssl::stream_base::client, [&](const error_code& e) {
    --stream_->pending;
    ec = e;
    done = true;
  });
  if (!runUntil(done, deadline)) {
    // The handler refers to this frame's `done` and `ec`: it must run (as
    // aborted) before the frame is gone.
    close();
    return Error{"TLS handshake with syslog receiver " + where() + ": no answer within " + millis(target_.timeout)};
  }
  if (!ec) return {};
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return Error{"the certificate of syslog receiver " + where() +
                 " did not verify: " + X509_verify_cert_error_string(verify) + " (it must be signed by a CA in " +
                 (target_.caFile.empty() ? std::string("the system's trust store") : target_.caFile) + " and name " +
                 name + "; set ca_file or server_name to match it)"};
  }
  return Error{"TLS handshake with syslog receiver " + where() + ": " + ec.message()};
}

Status SyslogConnection::write(std::string_view bytes, Clock::time_point deadline) {
  bool done = false;
  error_code ec;
  ++stream_->pending;
  stream_->withStream([&](auto& stream) {
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), [&](const error_code& e, size_t) {
      --stream_->pending;
      ec = e;
      done = true;
    });
  });
  if (!runUntil(done, deadline)) {
    close();
    return Error{"write to syslog receiver " + where() + ": not taken within " + millis(target_.timeout) +
                 " (the receiver stopped reading)"};
  }
  if (ec) {
    const std::string reason = ec.message();
    close();
    return Error{"write to syslog receiver " + where() + ": " + reason};
  }
  return {};
}

Status SyslogConnection::awaitAcknowledged(Clock::time_point deadline) {
  auto poll = kFirstAckPoll;
  for (;;) {
    if (!stillOpen()) {
      const std::string reason = stream_->closedBy->message();
      close();
      return Error{"syslog receiver " + where() + " closed the connection while a batch was sent (" + reason +
                   "); the batch is sent again"};
    }
    int unacknowledged = 0;
    if (::ioctl(stream_->socket().native_handle(), SIOCOUTQ, &unacknowledged) != 0) {
      const int err = errno;
      close();
      return errnoError("read the send queue of the connection to syslog receiver " + where(), err);
    }
    if (unacknowledged == 0) return {};
    const auto now = Clock::now();
    if (now >= deadline) {
      close();
      return Error{"syslog receiver " + where() + " did not acknowledge " + std::to_string(unacknowledged) +
                   " bytes within " + millis(target_.timeout) + "; the batch is sent again"};
    }
    // Sleeps, but wakes at once when the receiver closes or resets.
    io_.restart();
    io_.run_one_for(std::min<Clock::duration>(poll, deadline - now));
    poll = std::min(poll * 2, kMaxAckPoll);
  }
}

void SyslogConnection::watchForClose() {
  ++stream_->pending;
  stream_->withStream([this](auto& stream) {
    stream.async_read_some(asio::buffer(stream_->watchBuffer), [this](const error_code& ec, size_t) {
      --stream_->pending;
      if (ec) {
        stream_->closedBy = ec;
        return;
      }
      watchForClose();  // a receiver has nothing to say; keep listening for the close
    });
  });
}

bool SyslogConnection::runUntil(const bool& done, Clock::time_point deadline) {
  io_.restart();
  while (!done) {
    if (Clock::now() >= deadline) return false;
    if (io_.run_one_until(deadline) == 0 && io_.stopped()) return done;
  }
  return true;
}

bool SyslogConnection::stillOpen() {
  if (!stream_) return false;
  io_.restart();
  io_.poll();
  return !stream_->closedBy;
}

std::string SyslogConnection::where() const {
  const bool v6 = target_.host.find(':') != std::string::npos;
  return (v6 ? "[" + target_.host + "]" : target_.host) + ":" + std::to_string(target_.port);
}

}  // namespace warden::audit
