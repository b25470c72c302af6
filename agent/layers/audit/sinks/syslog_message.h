// One spooled event line as an RFC 5424 syslog message, framed by octet
// counting (RFC 6587 §3.4.1, the framing RFC 5425 §4.3 prescribes for TLS):
//
//   LEN SP <PRI>1 TIMESTAMP HOSTNAME wardend PROCID MSGID [warden@32473 id="ID"] BOM JSON
//
// PRI: facility 13 ("log audit", RFC 5424 table 1), severity from the event:
//   warning (4)  decision "deny", or a validation verdict "block" or "flag"
//   notice (5)   decision "allow"
//   info (6)     anything else (agent_start, agent_stop, checkpoint, ...)
// TIMESTAMP: the event's "time", its fraction cut to the 6 digits RFC 5424
//   allows (warden writes nanoseconds); "-" when it is not RFC 3339.
// HOSTNAME: "host"; MSGID: "type" (request, tunnel, checkpoint, ...); both
//   cut to their RFC 5424 lengths (255, 32), bytes outside printable US-ASCII
//   replaced by '_', "-" when absent. PROCID: the agent's pid.
// SD-ID warden@32473: 32473 is the private enterprise number RFC 5612
//   reserves for documentation, until warden has its own; the id is the
//   event's "id" (the key receivers de-duplicate on), escaped per §6.3.3.
// A line in OCSF form (event_format: ocsf) gives the same fields from where
//   OCSF keeps them: time (epoch ms, so 3 fraction digits), metadata.uid,
//   src_endpoint.hostname, unmapped.type, unmapped.decision and
//   unmapped.validation.verdict.
// MSG: a UTF-8 BOM and the JSON line unchanged. A line that does not parse
//   as JSON (a damaged spool) is still sent, without BOM or header values,
//   so the receiver sees it rather than the sink stalling on it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::audit {

inline constexpr int kSyslogFacilityLogAudit = 13;
inline constexpr std::string_view kSyslogAppName = "wardend";
inline constexpr std::string_view kSyslogSdId = "warden@32473";

// The RFC 5424 message for `line` (no framing).
std::string syslogMessage(std::string_view line, uint32_t procId);
// Appends "LEN SP MSG" for `line` to `out`.
void appendSyslogFrame(std::string& out, std::string_view line, uint32_t procId);

// RFC 3339 `time` as an RFC 5424 TIMESTAMP: at most 6 fraction digits, upper
// case T and Z; "-" (NILVALUE) when `time` is not a full RFC 3339 time.
std::string syslogTimestamp(std::string_view time);

}  // namespace warden::audit
