#include "syslog_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace warden::bench {
namespace {

// The sixth field of "<PRI>1 TIMESTAMP HOSTNAME APP PROCID MSGID ...".
std::string_view msgIdOf(std::string_view message) {
  for (int field = 0; field < 5; ++field) {
    const size_t space = message.find(' ');
    if (space == std::string_view::npos) return {};
    message.remove_prefix(space + 1);
  }
  return message.substr(0, message.find(' '));
}

}  // namespace

Result<std::unique_ptr<SyslogReceiver>> SyslogReceiver::start(const BenchPki& pki) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) return Error{"start the syslog receiver: no TLS server context (OpenSSL)"};
  if (SSL_CTX_use_certificate(context, pki.serverCert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(context, pki.serverKey.get()) != 1) {
    SSL_CTX_free(context);
    return Error{"start the syslog receiver: OpenSSL refused its certificate or key"};
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 8) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    Error error = errnoError("start the syslog receiver on 127.0.0.1");
    if (fd >= 0) ::close(fd);
    SSL_CTX_free(context);
    return error;
  }
  return std::unique_ptr<SyslogReceiver>(new SyslogReceiver(context, fd, ntohs(addr.sin_port)));
}

SyslogReceiver::SyslogReceiver(SSL_CTX* context, int listenFd, uint16_t port)
    : context_(context), listenFd_(listenFd), port_(port) {
  thread_ = std::thread([this] { run(); });
}

SyslogReceiver::~SyslogReceiver() {
  stopping_ = true;
  ::shutdown(listenFd_, SHUT_RDWR);  // wakes accept()
  {
    std::lock_guard lock(connectionMutex_);
    if (connectionFd_ >= 0) ::shutdown(connectionFd_, SHUT_RDWR);  // wakes SSL_read()
  }
  thread_.join();
  ::close(listenFd_);
  SSL_CTX_free(context_);
}

// One connection at a time: the sink holds a single one (a reconnect after
// an error comes after the old one closed).
void SyslogReceiver::run() {
  while (!stopping_) {
    const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    {
      std::lock_guard lock(connectionMutex_);
      connectionFd_ = fd;
    }
    if (stopping_) ::shutdown(fd, SHUT_RDWR);
    ++connections_;
    serve(fd);
    {
      std::lock_guard lock(connectionMutex_);
      connectionFd_ = -1;
    }
    ::close(fd);
  }
}

void SyslogReceiver::serve(int fd) {
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return;
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    std::string pending;
    char buffer[64 * 1024];
    for (;;) {
      const int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n <= 0) break;
      bytes_ += static_cast<uint64_t>(n);
      pending.append(buffer, static_cast<size_t>(n));
      if (!takeFrames(pending)) {
        ++malformed_;
        break;
      }
    }
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
}

bool SyslogReceiver::takeFrames(std::string& pending) {
  size_t at = 0;
  for (;;) {
    const std::string_view rest = std::string_view(pending).substr(at);
    const size_t space = rest.find(' ');
    if (space == std::string_view::npos) break;
    size_t length = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + space, length);
    if (ec != std::errc() || end != rest.data() + space || space == 0) return false;
    if (rest.size() < space + 1 + length) break;
    countFrame(rest.substr(space + 1, length));
    at += space + 1 + length;
  }
  pending.erase(0, at);
  return true;
}

void SyslogReceiver::countFrame(std::string_view message) {
  ++frames_;
  if (msgIdOf(message) == "request") ++requests_;
}

}  // namespace warden::bench
