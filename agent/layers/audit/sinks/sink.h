// A destination of the audit trail beyond the local spool: a syslog server,
// an HTTP log API, a local file. Each sink is fed by its own delivery thread
// (sink_runner.h) from its own cursor into the spool, so a slow or broken
// sink delays nobody else and never the request path.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::audit {

class Sink {
 public:
  virtual ~Sink() = default;

  // Delivers `lines` in order: each one spooled JSON line, without its
  // newline. Success means the receiver has them all (as far as the
  // protocol can tell); an error means any of them may have to be sent
  // again: delivery is at least once, and every event line carries its
  // "id" for de-duplication. Called from one thread only.
  virtual Status deliver(std::span<const std::string_view> lines) = 0;

  // Drops any connection, so the next deliver() starts afresh (after an
  // error, or before a retry).
  virtual void reset() {}

  // Where it delivers, for logs and status: "syslog tls://10.0.0.5:6514".
  virtual std::string describe() const = 0;
};

}  // namespace warden::audit
