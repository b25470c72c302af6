// A syslog-over-TLS receiver (RFC 5425) in the benchmark's process: accepts
// on 127.0.0.1:0, reads octet-counted frames (RFC 6587) and counts them by
// MSGID. It stores nothing, so it stands for a receiver that keeps up;
// what is measured is the sending side.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "bench_pki.h"
#include "core/result.h"

namespace warden::bench {

class SyslogReceiver {
 public:
  static Result<std::unique_ptr<SyslogReceiver>> start(const BenchPki& pki);
  ~SyslogReceiver();
  SyslogReceiver(const SyslogReceiver&) = delete;
  SyslogReceiver& operator=(const SyslogReceiver&) = delete;

  uint16_t port() const { return port_; }
  uint64_t requestEvents() const { return requests_.load(); }
  uint64_t frames() const { return frames_.load(); }
  uint64_t bytes() const { return bytes_.load(); }
  uint64_t connections() const { return connections_.load(); }
  // Frames whose length prefix did not parse: the stream was broken.
  uint64_t malformed() const { return malformed_.load(); }

 private:
  SyslogReceiver(SSL_CTX* context, int listenFd, uint16_t port);
  void run();
  void serve(int fd);
  // Consumes the complete frames at the front of `pending`; false when the
  // stream cannot be framed.
  bool takeFrames(std::string& pending);
  void countFrame(std::string_view message);

  SSL_CTX* context_;
  int listenFd_;
  uint16_t port_;
  std::atomic<bool> stopping_{false};
  std::mutex connectionMutex_;
  int connectionFd_ = -1;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> frames_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> malformed_{0};
  std::thread thread_;
};

}  // namespace warden::bench
