// One decision of the agent, as it is written to the event log. The JSON shape
// is versioned ("schema": "warden.event/v1"); new fields are added, never
// renamed, so later layers can grow it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/endpoint.h"

namespace warden::audit {

// WebSocketOpen: an upgrade accepted, recorded before the 101 reaches the
// client (a session the agent dies during is still on record).
// WebSocket: the session's counts and verdicts, when it ends.
// SinkTrouble / SinkRecovered: a sink stopped taking events, or took them again.
// PolicyLoad: access policies loaded at start or by a reload, or a reload
// rejected (the running policies stay).
enum class EventType { Request, Tunnel, WebSocketOpen, WebSocket, AgentStart, AgentStop, SinkTrouble, SinkRecovered, PolicyLoad };

// A file uploaded in a multipart form (/v1/files, audio transcriptions).
struct UploadedFileRecord {
  std::string field;        // the form field it came in ("file")
  std::string filename;     // as the client named it; "" when it did not
  std::string contentType;  // the part's media type; "" when not given
  uint64_t bytes = 0;
};

// What the provider adapter read from an LLM API request body.
struct LlmRequestRecord {
  bool parsed = false;     // the body was read into the conversation model
  std::string parseError;  // why it was not (the request was forwarded anyway)
  std::string model;
  bool stream = false;
  uint64_t messages = 0;
  std::vector<std::string> toolNames;  // tools the request declares
  std::vector<UploadedFileRecord> files;
  // Keyed hash of the request's texts (text_hasher.h): never the text itself.
  std::string promptHash;
};

// What the adapter assembled from the response as it streamed by.
struct LlmResponseRecord {
  std::string parseError;  // the body did not read as the API's format
  std::string model;
  std::string finishReason;
  std::vector<std::string> toolCallNames;  // tools the model called
  std::optional<uint64_t> inputTokens;
  std::optional<uint64_t> outputTokens;
  std::string providerError;  // the API answered with its own error object
  std::string completionHash;  // keyed hash of the output text, when there was any
};

struct LlmRecord {
  std::string provider;   // "openai", "anthropic", ... ("unknown": routed by path alone)
  std::string operation;  // "chat_completions", ... or "uninspected"
  std::optional<LlmRequestRecord> request;    // absent for uninspected operations
  std::optional<LlmResponseRecord> response;  // absent when none was read
};

// A WebSocket session after its upgrade (OpenAI Realtime).
struct WebSocketRecord {
  uint64_t messagesFromClient = 0;
  uint64_t messagesToClient = 0;
  uint64_t eventsFromClient = 0;  // messages read as the API's JSON events
  uint64_t eventsToClient = 0;
  uint64_t uninspected = 0;  // binary, compressed, oversized, or events of unknown types
  uint64_t malformed = 0;    // text messages that are not a JSON event
  std::string unreadable;    // a direction broke the framing protocol: relayed, no longer read
  std::string refused;       // why warden refused a client message and ended the session
  std::string openEvent;     // the id of the session's websocket_open event
};

// One finding of the validation layer (prompt injection, jailbreak, harmful
// request, hidden text, ...), as strings: the audit log does not depend on
// the detectors' types.
struct ValidationFinding {
  std::string id;        // rule or model id
  std::string category;
  std::string severity;  // low | medium | high | critical
  double score = 0;
  std::string part;      // user | system | assistant | tool_result | retrieved
  uint64_t text = 0;     // which text of the request (0-based, in reading order)
  uint64_t offset = 0;   // bytes of that text
  uint64_t length = 0;
  std::string verdict;   // what this finding alone asks for
  std::string detail;
};

// The validation layer's verdict on a request's texts.
struct ValidationRecord {
  std::string verdict;  // allow | flag | sanitize | block
  std::vector<ValidationFinding> findings;
  uint64_t texts = 0;   // texts inspected
  uint64_t bytes = 0;   // their bytes
  uint64_t hiddenCharacters = 0;  // invisible, bidi, tag and variation-selector characters
  uint64_t sanitizedTexts = 0;    // texts forwarded with smuggled characters removed
  std::chrono::microseconds duration{0};
  std::string error;    // the detectors failed; the request was refused (fail closed)
};

// The access layer's decision on a request (layer 3).
struct AccessRecord {
  std::string action;     // allow | deny | monitor | redact
  bool enforced = true;   // false: monitor mode, the action was only recorded
  std::string rule;       // the rule (or key entry) that decided; "" for the default
  std::string policy;     // metadata.name of its document
  std::string source;     // FILE:LINE:COLUMN of the rule
  std::string reason;
  std::vector<std::string> flags;  // key_theft_suspected, unknown_workload, ...
  std::string key;        // the policy key entry the request's API key is, if any
  bool brokered = false;  // warden put the real key in place of the workload's placeholder
  std::string budget;     // the budget that refused the request, if one did
  std::string limit;      // which of its limits (requestsPerMinute, tokensPerDay, ...)
  uint64_t retryAfterSeconds = 0;
};

// The workload's risk after this request (layer 2): the score access
// policies decided it with (`riskAbove`), and what this request added to it.
struct AnomalyRecord {
  double score = 0;
  std::vector<std::string> reasons;  // jailbreak_attempt, secrets_outbound, oversized_request, ...
  uint64_t requests = 0;             // the workload's requests before this one that the baseline has seen
};

// Secrets and personal data found in a request's texts (layer 3's masking).
// Where and what, never the value itself.
struct SensitiveFinding {
  std::string id;         // the masking rule (secret.aws.access_key_id, pii.email, ...)
  std::string type;       // aws_access_key_id, email_address, credit_card, ...
  std::string dataClass;  // secret | pii
  uint64_t text = 0;      // index of the text, numbered as validation's findings are
  uint64_t offset = 0;    // bytes into that text
  uint64_t length = 0;
};

struct SensitiveDataRecord {
  std::vector<SensitiveFinding> findings;
  uint64_t secrets = 0;
  uint64_t pii = 0;
  uint64_t maskedTexts = 0;  // texts forwarded with their findings masked (action redact)
  std::chrono::microseconds duration{0};
  std::string error;  // the scan failed; the request was refused (fail closed)
};

// Full capture, when a policy opts the workload in (spec.capture): the
// request's texts and the response's text, with every secret and piece of
// personal data the masking rules find replaced by [REDACTED:<type>].
struct CapturedText {
  std::string part;  // system, user, assistant, tool_result, ... (as validation names them)
  std::string text;
};

struct CaptureRecord {
  std::string entry;  // the capture entry that opted the workload in
  std::vector<CapturedText> prompt;
  std::string completion;
  bool truncated = false;  // over the size kept per event: the rest is left out
  uint64_t masked = 0;     // findings masked in what is kept
};

// Access policies loaded (or refused: the event's error says why).
struct PolicyRecord {
  std::vector<std::string> files;  // in load order
  uint64_t rules = 0;
  uint64_t budgets = 0;
  uint64_t keys = 0;
  std::string trigger;  // start | sighup | control
};

// A sink's trouble, or its recovery.
struct SinkRecord {
  std::string name;
  std::string destination;  // what the sink describes itself as: "syslog tls://siem:6514"
  std::string error;        // trouble: the error that stopped it
  std::chrono::milliseconds downFor{0};  // recovered: how long it was down
};

// The workload behind a connection, resolved from the kernel's identity:
// what policy matches and what an operator recognises. Empty strings are
// what could not be resolved. Shared by every event of a connection.
struct WorkloadRecord {
  std::string key;        // "unit:system.slice/app.service", "container:docker/<id>", ...
  std::string cgroup;     // path under the cgroup v2 mount ("/system.slice/app.service")
  std::string unit;       // systemd unit path ("system.slice/app.service")
  std::string slice;      // the slice the unit sits in ("system.slice")
  std::string container;  // container id
  std::string runtime;    // docker | containerd | podman | crio | unknown
  std::string pod;        // Kubernetes pod uid
  std::string executable;
  std::string executableSha256;
  std::string user;
  std::string group;
};

struct Event {
  EventType type = EventType::Request;
  std::string id;  // 128-bit random, hex; unique per event
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  std::optional<KernelIdentity> identity;
  std::shared_ptr<const WorkloadRecord> workload;  // null when not resolved
  std::optional<Endpoint> originalDst;
  std::string sni;   // server name the client asked for, if any
  std::string mode;  // "intercept" | "tunnel" | "plain"

  // Request events
  std::string method;
  std::string path;
  std::string httpHost;
  int status = 0;
  std::string decision;  // "allow" for now; later layers add "deny" etc.
  std::string error;     // why a request failed, if it did
  std::optional<LlmRecord> llm;  // requests to a known LLM API host or path
  std::optional<WebSocketRecord> websocket;
  std::optional<ValidationRecord> validation;
  std::optional<AnomalyRecord> anomaly;
  std::optional<AccessRecord> access;
  std::optional<SensitiveDataRecord> sensitiveData;
  std::optional<CaptureRecord> capture;
  std::optional<PolicyRecord> policy;
  std::optional<SinkRecord> sink;

  uint64_t bytesFromClient = 0;
  uint64_t bytesToClient = 0;
  std::chrono::microseconds duration{0};
};

// Unique per event; cheap enough for the data path (no syscall per id).
std::string newEventId();
// Appends the event as one line of JSON (keys sorted, no spaces, invalid
// UTF-8 replaced by U+FFFD) followed by '\n'. Written straight to the string:
// the event log calls this once per request.
void appendJsonLine(std::string& out, const Event& event, std::string_view hostName);
// An event's time as every line writes it: RFC 3339, UTC, nanoseconds.
void appendTimestamp(std::string& out, std::chrono::system_clock::time_point time);
// The same document as a JSON value (tests, tools).
nlohmann::json toJson(const Event& event, const std::string& hostName);

}  // namespace warden::audit
