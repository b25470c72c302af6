// wardend's configuration (/etc/warden/warden.yaml). Every field has a safe
// default; parse errors name the file, line and column.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "kernel/bpf_redirector.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::app {

// An LLM API host name: intercepted by SNI and resolved into the target map.
struct HostTarget {
  std::string name;      // lowercased
  uint16_t port = 443;
  bool tls = true;       // false: plain HTTP (e.g. a local model server)
  bool resolve = true;   // false: only matched by SNI, never resolved

  friend bool operator==(const HostTarget&, const HostTarget&) = default;
};

// A literal address range added to the target map as is.
struct CidrTarget {
  std::string cidr;  // as written, e.g. "127.0.0.2/32" or "::1/128"
  kernel::TargetEntry entry;

  friend bool operator==(const CidrTarget&, const CidrTarget&) = default;
};

// Where the shipped rule packs and models are installed (CMake's DATADIR).
#ifndef WARDEN_DATA_DIR
#define WARDEN_DATA_DIR "/usr/local/share/warden"
#endif

// Layer 1 (config `validation:`): prompt-injection, jailbreak and
// harmful-request detection on every inspected request.
struct ValidationConfig {
  bool enabled = true;
  std::string rulesDir = WARDEN_DATA_DIR "/rules";
  std::string injectionModel = WARDEN_DATA_DIR "/models/injection.model";  // "" = no model
  std::string harmfulModel = WARDEN_DATA_DIR "/models/harmful.model";      // "" = no model
  double flagScore = 0.5;
  double blockScore = 0.85;
  double systemFlagScore = 0.5;
  double systemBlockScore = 1.0;
  double indirectFlagScore = 0.6;
  double indirectBlockScore = 0.9;
  double harmfulFlagScore = 0.6;
  double harmfulBlockScore = 0.9;
  bool sanitizeSmuggling = true;
  double hiddenTextRatio = 0.2;
  // An API request whose body the adapters cannot read (JSON nested past
  // limits.max_json_depth, an unknown Content-Encoding, broken JSON) cannot
  // be validated: true refuses it (400), false forwards it unchecked.
  bool blockUnreadable = true;
  // What each thread remembers of texts it inspected (a conversation resends
  // its history every turn), in MiB; 0 = every text is inspected every time.
  int64_t cacheMiB = 8;

  friend bool operator==(const ValidationConfig&, const ValidationConfig&) = default;
};

// Layer 3 (config `access:`): who may call which API, model and tool, with
// which budget and key.
struct AccessConfig {
  bool enabled = true;
  // Policy files (*.yaml) in load order: the shipped defaults, then the
  // host's. A directory that does not exist is skipped; an empty one adds
  // nothing.
  std::vector<std::string> policyDirs = {WARDEN_DATA_DIR "/access", "/etc/warden/policies.d"};
  // The real keys behind brokered placeholders; "" = no brokered keys.
  std::string secretsFile;
  // Rules that find secrets and personal data in request texts (policy
  // detections `secret`/`pii`, action redact); "" = no scan.
  std::string maskingRulesDir = WARDEN_DATA_DIR "/masking";

  friend bool operator==(const AccessConfig&, const AccessConfig&) = default;
};

// Layer 2 (config `anomaly:`): each workload's risk score, which access
// policies read as `riskAbove`.
struct AnomalyConfig {
  bool enabled = true;
  std::chrono::seconds halfLife{900};  // how fast a workload's evidence fades
  uint32_t maxWorkloads = 10000;       // remembered at once; the least recently seen is forgotten

  friend bool operator==(const AnomalyConfig&, const AnomalyConfig&) = default;
};

// Layer 4 (config `audit:`): the local spool every event is written to
// first, and the sinks that forward it.
struct AuditConfig {
  std::string spoolDir = "/var/lib/warden/spool";
  uint64_t segmentBytes = 64ull << 20;        // a segment is closed at this size...
  std::chrono::seconds segmentAge{3600};      // ...or this age, whichever comes first
  uint64_t maxSpoolBytes = 1ull << 30;        // segments on disk, all together
  // When the spool is at its bound (sinks behind) or the disk is full:
  // Block refuses new requests (503 in the API's format) until there is
  // room again; Drop lets them through and counts (and later logs) the
  // events it could not keep.
  enum class OnFull { Block, Drop } onFull = OnFull::Block;
  std::vector<audit::SinkConfig> sinks;

  friend bool operator==(const AuditConfig&, const AuditConfig&) = default;
};

// `metrics:` the Prometheus text endpoint, on loopback only.
struct MetricsConfig {
  bool enabled = true;
  uint16_t port = 15002;  // 127.0.0.1 and ::1

  friend bool operator==(const MetricsConfig&, const MetricsConfig&) = default;
};

struct Config {
  std::string sourcePath;  // where it was read from ("" = built-in defaults)

  std::string cgroup = "auto";  // cgroup v2 dir; "auto" = the cgroup2 mount from /proc/mounts
  kernel::FailMode failMode = kernel::FailMode::Open;
  std::chrono::milliseconds heartbeatInterval{250};
  std::chrono::milliseconds heartbeatTimeout{1000};

  uint16_t listenPort = 15001;
  unsigned workers = 0;  // 0 = one per core

  std::string stateDir = "/var/lib/warden";
  std::string runtimeDir = "/run/warden";
  std::string bpfPinDir = "/sys/fs/bpf/warden";

  std::string upstreamExtraCaFile;  // PEM trusted in addition to the system store
  std::chrono::milliseconds upstreamConnectTimeout{5000};
  std::chrono::milliseconds clientHelloTimeout{10000};
  std::chrono::milliseconds idleTimeout{120000};
  unsigned upstreamIdlePerHost = 64;
  uint32_t agentMark = 0x5741;  // "WA"

  std::vector<HostTarget> hosts;  // defaults: OpenAI, Anthropic, Gemini
  std::vector<CidrTarget> cidrs;

  // Bounds on what one request may make the agent hold or parse.
  uint64_t maxRequestBodyBytes = 32ull << 20;  // inspected bodies are read whole; over it: 413
  uint32_t maxHeaderBytes = 64 << 10;          // request line through the blank line
  uint32_t maxHeaderCount = 100;               // header field lines
  uint32_t maxJsonDepth = 64;                  // nesting of a request body's JSON

  ValidationConfig validation;
  AnomalyConfig anomaly;
  AccessConfig access;
  AuditConfig audit;
  MetricsConfig metrics;

  std::chrono::seconds minTtl{5};
  std::chrono::seconds maxTtl{300};
  std::chrono::seconds defaultTtl{60};  // answers without a TTL (hosts file)

  std::string controlSocketPath() const { return runtimeDir + "/control.sock"; }

  friend bool operator==(const Config&, const Config&) = default;
};

// Built-in defaults (the default host list included).
Config defaultConfig();

// Reads and validates a YAML file. Unknown keys are errors (typos must not be
// silently ignored in a security tool).
Result<Config> loadConfig(const std::string& path);
Result<Config> parseConfig(const std::string& yamlText, const std::string& sourceName);

// "127.0.0.0/8" -> TargetEntry (IPv4 mapped, prefix + 96). Port given apart.
// A bare address is a single host (/32 or /128); host bits set is an error.
Result<kernel::TargetEntry> parseCidr(const std::string& text, uint16_t port, bool plainHttp);

}  // namespace warden::app
