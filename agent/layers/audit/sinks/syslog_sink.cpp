#include "layers/audit/sinks/syslog_sink.h"

#include <unistd.h>

#include <charconv>
#include <exception>
#include <utility>

#include "layers/audit/sinks/syslog_connection.h"
#include "layers/audit/sinks/syslog_message.h"

namespace warden::audit {
namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// "host:port", "1.2.3.4:port" or "[v6]:port"; the port is required (6514 is
// syslog over TLS, 514 plain), so a receiver is never dialled by guesswork.
Result<HostPort> parseHostPort(const std::string& address) {
  const std::string example = " (write host:port, e.g. siem.example.com:6514 or [2001:db8::1]:6514)";
  HostPort out;
  std::string_view portText;
  if (address.starts_with('[')) {
    const size_t close = address.find(']');
    if (close == std::string::npos || address.compare(close + 1, 1, ":") != 0) {
      return Error{"'" + address + "' is not [address]:port" + example};
    }
    out.host = address.substr(1, close - 1);
    portText = std::string_view(address).substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos) return Error{"'" + address + "' has no port" + example};
    out.host = address.substr(0, colon);
    if (out.host.find(':') != std::string::npos) {
      return Error{"'" + address + "': an IPv6 address goes in brackets" + example};
    }
    portText = std::string_view(address).substr(colon + 1);
  }
  if (out.host.empty()) return Error{"'" + address + "' has no host" + example};
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (ec != std::errc{} || end != portText.data() + portText.size() || port == 0 || port > 65535) {
    return Error{"'" + address + "' has no valid port (1-65535)" + example};
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

Status checkConfig(const SinkConfig& config) {
  if (config.type != SinkType::Syslog) return Error{"not a syslog sink"};
  if (!config.tls && (!config.caFile.empty() || !config.certFile.empty() || !config.serverName.empty())) {
    return Error{"ca_file, cert_file, key_file and server_name apply to TLS only (set tls: true, or remove them)"};
  }
  if (config.certFile.empty() != config.keyFile.empty()) {
    return Error{"cert_file and key_file go together (set both, or neither)"};
  }
  if (config.timeout.count() <= 0) return Error{"timeout must be positive"};
  return {};
}

}  // namespace

Result<std::unique_ptr<SyslogSink>> SyslogSink::open(const SinkConfig& config) {
  const std::string context = "syslog sink " + config.name;
  if (auto status = checkConfig(config); !status) return status.error().wrap(context);
  auto address = parseHostPort(config.address);
  if (!address) return address.error().wrap(context + ": address");

  SyslogTarget target;
  target.host = address->host;
  target.port = address->port;
  target.tls = config.tls;
  target.caFile = config.caFile;
  target.certFile = config.certFile;
  target.keyFile = config.keyFile;
  target.verifyName = config.serverName.empty() ? address->host : config.serverName;
  target.timeout = config.timeout;
  auto connection = SyslogConnection::create(std::move(target));
  if (!connection) return connection.error().wrap(context);

  const bool v6 = address->host.find(':') != std::string::npos;
  std::string description = std::string("syslog ") + (config.tls ? "tls://" : "tcp://") +
                            (v6 ? "[" + address->host + "]" : address->host) + ":" + std::to_string(address->port);
  return std::unique_ptr<SyslogSink>(
      new SyslogSink(std::move(*connection), std::move(description), static_cast<uint32_t>(::getpid())));
}

SyslogSink::SyslogSink(std::unique_ptr<SyslogConnection> connection, std::string description, uint32_t procId)
    : connection_(std::move(connection)), description_(std::move(description)), procId_(procId) {}

SyslogSink::~SyslogSink() = default;

Status SyslogSink::deliver(std::span<const std::string_view> lines) {
  if (lines.empty()) return {};
  try {
    frames_.clear();
    for (std::string_view line : lines) appendSyslogFrame(frames_, line, procId_);
    return connection_->send(frames_);
  } catch (const std::exception& e) {
    // Allocation failures, or a library that threw after all: the batch
    // is retried on a fresh connection.
    connection_->close();
    return Error{"deliver to " + description_ + ": " + e.what()};
  }
}

void SyslogSink::reset() { connection_->shutdown(); }

std::string SyslogSink::describe() const { return description_; }

}  // namespace warden::audit
