// wardenctl's command line: global options anywhere, then a command.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/options.h"
#include "cli/policy_command.h"
#include "core/result.h"

namespace warden::cli {

inline constexpr const char* kDefaultSocket = "/run/warden/control.sock";
inline constexpr const char* kSocketEnv = "WARDEN_CONTROL_SOCKET";
inline constexpr const char* kDefaultApiHost = "api.openai.com";

enum class Action { Help, Version, Status, Identities, CaExport, Scan, AuditVerify, Metrics, Policy };

// `wardenctl scan`: what to scan and with which engine.
struct ScanOptions {
  std::optional<std::string> text;  // nullopt or "-": read standard input
  std::string apiPath;       // "" = guess the API from the body's shape
  std::string apiHost;       // "" = kDefaultApiHost (only with apiPath)
};

// `wardenctl audit verify`: which event log.
struct AuditOptions {
  std::string file;  // "" = the configuration's audit.spool.dir
  std::string key;   // "" = audit.pub in the configuration's state directory
};

struct Options {
  Action action = Action::Help;
  std::string socketPath = kDefaultSocket;
  bool json = false;  // print the agent's raw result
  // The configuration the offline commands read (scan, audit verify), and
  // metrics its port.
  std::string configPath = app::kDefaultConfigPath;
  bool configGiven = false;  // an explicit --config must exist
  ScanOptions scan;
  AuditOptions audit;
  PolicyOptions policy;
};

// `args` excludes argv[0]. `envSocket` is $WARDEN_CONTROL_SOCKET if set;
// --socket wins over it. Errors are usage errors (exit status 2).
Result<Options> parseArgs(const std::vector<std::string>& args, std::optional<std::string> envSocket);

std::string usage();

}  // namespace warden::cli
