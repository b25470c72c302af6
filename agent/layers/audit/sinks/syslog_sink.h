// The syslog sink: every spooled line as one RFC 5424 message
// (syslog_message.h), octet-counted (RFC 6587 §3.4.1) over TCP, in TLS 1.2+
// unless `tls: false` (RFC 5425). The server's certificate is verified
// against ca_file (or the system's trust store) and against server_name, or
// the address's host (a DNS name, or an IP address in the certificate's
// IP SANs); a client certificate is presented when cert_file is set.
//
// Delivery is at least once. Syslog over TCP has no acknowledgement, so
// deliver() reports success only when, within `timeout`:
//   - the connection was still open before the batch was written (a server
//     that closed it while the sink was idle is reconnected to first),
//   - the whole batch was written,
//   - the server's TCP stack acknowledged every byte (the socket's send
//     queue is empty), and
//   - the server has not closed or reset the connection since.
// Otherwise the batch fails and the runner sends it again from the same
// cursor over a new connection; the receiver may then get some events twice,
// and de-duplicates on the SD parameter id (the event's "id").
//
// What it cannot see: a TCP acknowledgement means the bytes reached
// the server's kernel, not that the syslog daemon stored them. A batch the
// daemon had not yet read from its socket, or had read but not yet queued,
// when it crashed (or lost power) is lost without the sink knowing.
// Closing that gap needs an application-level acknowledgement (RELP, which
// rsyslog speaks, or the HTTP sink); RFC 5425 has none. Receivers should use
// a disk-assisted queue so what they did read survives their restart.
//
// Each message is sent whole: receivers must accept messages as long as the
// longest event line (rsyslog: global(maxMessageSize="256k"); RFC 5425 only
// requires 2 KiB and recommends 8 KiB), or they truncate the JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "layers/audit/sinks/sink.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::audit {

class SyslogConnection;

class SyslogSink : public Sink {
 public:
  // Checks the configuration and loads the TLS files; connects on the
  // first deliver().
  static Result<std::unique_ptr<SyslogSink>> open(const SinkConfig& config);
  ~SyslogSink() override;

  Status deliver(std::span<const std::string_view> lines) override;
  void reset() override;
  // "syslog tls://10.0.0.5:6514" or "syslog tcp://[2001:db8::1]:514"
  std::string describe() const override;

 private:
  SyslogSink(std::unique_ptr<SyslogConnection> connection, std::string description, uint32_t procId);

  std::unique_ptr<SyslogConnection> connection_;
  std::string description_;
  uint32_t procId_;
  std::string frames_;  // the batch being sent; kept to reuse its capacity
};

}  // namespace warden::audit
