#include "cli/options.h"

namespace warden::cli {
namespace {

// An option's value, as "--name VALUE" or "--name=VALUE". nullopt: `arg` is
// not this option; an empty value is an error.
std::optional<Result<std::string>> valueOf(const std::vector<std::string>& args, size_t& i, const std::string& name,
                                           const std::string& needs) {
  const std::string& arg = args[i];
  std::string value;
  if (arg == name) {
    if (i + 1 < args.size()) value = args[++i];
  } else if (arg.rfind(name + "=", 0) == 0) {
    value = arg.substr(name.size() + 1);
  } else {
    return std::nullopt;
  }
  if (value.empty()) return Result<std::string>(Error{name + " needs " + needs});
  return Result<std::string>(std::move(value));
}

}  // namespace

std::string usage() {
  return "usage: wardenctl [--socket PATH] [--json] COMMAND\n"
         "\n"
         "Commands:\n"
         "  status         show the agent: programs, targets, counters, CA\n"
         "  identities     list the workloads the agent has seen: key, user, executable,\n"
         "                 connections, requests, denials, risk score, last\n"
         "                 decision, last seen\n"
         "  ca export      print the agent's CA certificate (PEM), to add to a trust store\n"
         "  scan [TEXT|-]  check a prompt or an API request body with wardend's validation\n"
         "                 engine, offline, and explain each detection; no TEXT or - reads\n"
         "                 standard input\n"
         "  audit verify [--key PUB] [PATH]\n"
         "                 check the audit trail's hash chain and its signed checkpoints (PATH:\n"
         "                 a spool directory, all its segments in order, or one segment file;\n"
         "                 default the configuration's audit.spool.dir; PUB: default audit.pub\n"
         "                 in its state directory) and name the first edited, missing,\n"
         "                 inserted or reordered line\n"
         "  metrics        print wardend's Prometheus metrics, read from\n"
         "                 http://127.0.0.1:PORT/metrics (PORT: the configuration's\n"
         "                 metrics.port, default 15002)\n"
         "  policy check FILE...\n"
         "                 validate access policy files (or directories of *.yaml) offline:\n"
         "                 \"FILE: ok (N rules, M budgets, K keys)\" or FILE:LINE:COLUMN errors;\n"
         "                 several files are also checked together (unique ids, one default)\n"
         "  policy reload  make the running wardend read its access policies again (as SIGHUP\n"
         "                 does); a policy that does not validate is refused, naming file, line\n"
         "                 and column, and the running one stays\n"
         "  policy explain [--policies PATH...] [--unit U] [--container ID] [--runtime R]\n"
         "                 [--exe PATH] [--user NAME] [--uid N] [--workload KEY] [--provider P]\n"
         "                 [--host H] [--endpoint PATH] [--model M] [--tool T]... [--detection D]...\n"
         "                 [--risk 0-1] [--key-sha256 HEX]\n"
         "                 decide on that request as wardend would and show each rule tried and\n"
         "                 why it did not match (PATH default: " +
         std::string(WARDEN_DATA_DIR) + "/access, then\n"
         "                 /etc/warden/policies.d, each if present); no identity option = an\n"
         "                 unidentified workload\n"
         "  help           show this help\n"
         "\n"
         "Options:\n"
         "  --socket PATH  control socket (default " +
         std::string(kDefaultSocket) + ", or $" + kSocketEnv +
         ")\n"
         "  --json         print the agent's answer (scan: its validation record) as JSON\n"
         "  --version      print wardenctl's version\n"
         "  -h, --help     show this help\n"
         "\n"
         "Scan, audit and metrics options:\n"
         "  --config FILE  wardend's configuration: scan takes the engine from its validation:\n"
         "                 section, audit verify its spool, metrics its metrics.port (default " +
         std::string(app::kDefaultConfigPath) +
         ",\n"
         "                 or the built-in defaults if it is absent)\n"
         "  --path PATH    read the input as the body of a request to PATH, e.g.\n"
         "                 /v1/chat/completions, /v1/messages, /v1beta/models/M:generateContent\n"
         "  --host HOST    the request's host, with --path (default " +
         std::string(kDefaultApiHost) +
         ";\n"
         "                 a path that host does not serve is routed by the path alone)\n"
         "  Without --path, a JSON object is read as the API it looks like: \"contents\" ->\n"
         "  Gemini generateContent; \"messages\" -> Anthropic Messages when it has a top-level\n"
         "  \"system\" or a tool_use/tool_result block, else OpenAI chat completions; \"input\" ->\n"
         "  OpenAI Responses; \"prompt\" -> OpenAI completions. Anything else, or a body that\n"
         "  API does not accept, is scanned as one user text.\n"
         "\n"
         "Exit status: 0 success (scan: allow; audit verify: the chain holds; policy check: every\n"
         "  file valid), 1 failure (audit verify: the chain breaks; policy check: an error), 2 usage\n"
         "  error;\n"
         "  scan: 3 flag, 4 sanitize, 5 block (3 and above: something was detected).\n";
}

Result<Options> parseArgs(const std::vector<std::string>& args, std::optional<std::string> envSocket) {
  Options options;
  if (envSocket && !envSocket->empty()) options.socketPath = *envSocket;
  std::vector<std::string> words;
  std::vector<std::string> auditOnly;
  std::vector<std::string> scanOnly;  // scan's options, refused with other commands
  bool optionsEnded = false;          // after "--" every argument is a word (a TEXT may start with -)
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (optionsEnded) {
      words.push_back(arg);
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      options.action = Action::Help;
      return options;
    }
    if (arg == "--version") {
      options.action = Action::Version;
      return options;
    }
    if (arg == "--") {
      optionsEnded = true;
      continue;
    }
    // policy's options are its own: the rest of the line is handed over.
    if (words.empty() && arg == "policy") {
      auto policy = parsePolicyArgs(std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()));
      if (!policy) return policy.error();
      if (!auditOnly.empty() || !scanOnly.empty() || options.configGiven) {
        return Error{"policy takes none of --config, --key, --path, --host before it"};
      }
      options.action = policy->help ? Action::Help : Action::Policy;
      options.policy = std::move(*policy);
      return options;
    }
    if (arg == "--json") {
      options.json = true;
      continue;
    }
    if (auto v = valueOf(args, i, "--socket", "a path")) {
      if (!*v) return v->error();
      options.socketPath = std::move(v->value());
      continue;
    }
    if (auto v = valueOf(args, i, "--config", "a file")) {
      if (!*v) return v->error();
      options.configPath = std::move(v->value());
      options.configGiven = true;
      continue;
    }
    if (auto v = valueOf(args, i, "--key", "a public key file (audit.pub)")) {
      if (!*v) return v->error();
      options.audit.key = std::move(v->value());
      auditOnly.push_back("--key");
      continue;
    }
    if (auto v = valueOf(args, i, "--path", "an API path, e.g. /v1/chat/completions")) {
      if (!*v) return v->error();
      options.scan.apiPath = std::move(v->value());
      scanOnly.push_back("--path");
      continue;
    }
    if (auto v = valueOf(args, i, "--host", "a host name, e.g. api.anthropic.com")) {
      if (!*v) return v->error();
      options.scan.apiHost = std::move(v->value());
      scanOnly.push_back("--host");
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') return Error{"unknown option " + arg};
    words.push_back(arg);  // "-" too: scan's standard input
  }
  if (words.empty()) return Error{"no command given"};
  if (words[0] != "audit" && !auditOnly.empty()) return Error{auditOnly.front() + " is an option of audit verify"};
  if (words[0] == "scan") {
    if (words.size() > 2) return Error{"scan takes one TEXT: quote the prompt, or give - (or nothing) to read stdin"};
    if (words.size() == 2 && words[1] != "-") options.scan.text = words[1];
    if (!options.scan.apiHost.empty() && options.scan.apiPath.empty()) {
      return Error{"--host needs --path: the path names the API the body is read as"};
    }
    options.action = Action::Scan;
    return options;
  }
  if (!scanOnly.empty()) return Error{scanOnly.front() + " is an option of scan"};
  if (words[0] == "audit") {
    if (words.size() < 2) return Error{"audit needs a subcommand: verify"};
    if (words[1] != "verify") return Error{"unknown audit subcommand " + words[1]};
    if (words.size() > 3) return Error{"audit verify takes one PATH"};
    if (words.size() == 3) options.audit.file = words[2];
    options.action = Action::AuditVerify;
    return options;
  }
  if (words[0] == "metrics") {
    if (words.size() > 1) return Error{"metrics takes no arguments"};
    if (options.json) return Error{"metrics prints the Prometheus text format; --json does not apply"};
    options.action = Action::Metrics;
    return options;
  }
  if (options.configGiven) return Error{"--config is an option of scan, audit verify and metrics"};
  if (words == std::vector<std::string>{"status"}) {
    options.action = Action::Status;
  } else if (words == std::vector<std::string>{"identities"}) {
    options.action = Action::Identities;
  } else if (words == std::vector<std::string>{"ca", "export"}) {
    options.action = Action::CaExport;
  } else if (words == std::vector<std::string>{"help"}) {
    options.action = Action::Help;
  } else if (words[0] == "ca") {
    return Error{words.size() == 1 ? "ca needs a subcommand: export" : "unknown ca subcommand " + words[1]};
  } else if (words[0] == "status" || words[0] == "identities" || words[0] == "help") {
    return Error{words[0] + " takes no arguments"};
  } else {
    return Error{"unknown command " + words[0]};
  }
  return options;
}

}  // namespace warden::cli
