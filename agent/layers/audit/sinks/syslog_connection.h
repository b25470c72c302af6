// The syslog sink's stream to its receiver: TCP, or TLS over TCP, opened on
// demand and used synchronously from the sink's own thread, every step
// bounded by a deadline (Asio completion handlers run until done or timed
// out). Since the receiver never answers, send() waits until the receiver's
// TCP stack has acknowledged every byte, and watches for the receiver
// closing or resetting the connection, which is the most a plain stream can
// tell (see syslog_sink.h for what that leaves open).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include "core/result.h"
#include "layers/audit/sinks/receiver_lookup.h"

namespace warden::audit {

struct SyslogTarget {
  std::string host;  // DNS name or IP address (without brackets)
  uint16_t port = 0;
  bool tls = true;
  std::string caFile;    // "" = the system's trust store
  std::string certFile;  // client certificate, "" = none
  std::string keyFile;
  std::string verifyName;  // the name (or IP address) the certificate must carry
  std::chrono::milliseconds timeout{10000};
};

class SyslogConnection {
 public:
  // Loads the TLS files (so a bad path fails at startup); does not connect.
  static Result<std::unique_ptr<SyslogConnection>> create(SyslogTarget target);
  ~SyslogConnection();
  SyslogConnection(const SyslogConnection&) = delete;
  SyslogConnection& operator=(const SyslogConnection&) = delete;

  // Writes `bytes`, connecting first when there is no open connection, and
  // returns once the receiver's TCP stack has acknowledged all of them. Any
  // error closes the connection.
  Status send(std::string_view bytes);
  // Ends the connection politely (TLS close_notify, waited for briefly),
  // so the receiver logs no truncated session; the next send() reconnects.
  void shutdown();
  // Closes the connection at once (after an error).
  void close();
  bool connected() const { return stream_ != nullptr; }

 private:
  using Tcp = boost::asio::ip::tcp;
  using Clock = std::chrono::steady_clock;
  struct Stream;

  SyslogConnection(SyslogTarget target, std::optional<boost::asio::ssl::context> tls);

  Status connect();
  Status handshake(Clock::time_point deadline);
  Status write(std::string_view bytes, Clock::time_point deadline);
  Status awaitAcknowledged(Clock::time_point deadline);
  // Keeps one read pending for the connection's life: it completes only
  // when the receiver closes or resets it.
  void watchForClose();
  // Runs handlers until `done` is set or the deadline passes (false).
  bool runUntil(const bool& done, Clock::time_point deadline);
  // Runs whatever handlers are ready; true while the connection is open.
  bool stillOpen();
  std::string where() const;

  SyslogTarget target_;
  ReceiverLookup lookup_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ssl::context> tls_;
  std::unique_ptr<Stream> stream_;
};

}  // namespace warden::audit
