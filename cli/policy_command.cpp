#include "cli/policy_command.h"

#include <charconv>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "layers/access/policy_loader.h"
#include "layers/access/policy_parser.h"

#ifndef WARDEN_DATA_DIR
#define WARDEN_DATA_DIR "/usr/local/share/warden"
#endif

namespace warden::cli {
namespace {

using access::AccessRequest;
using access::PolicyFile;

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

int check(const PolicyOptions& options, std::ostream& out, std::ostream& err) {
  auto files = access::listPolicyFiles(options.files);
  if (!files) {
    err << "wardenctl: " << files.error().message << "\n";
    return kExitFailure;
  }
  if (files->empty()) {
    err << "wardenctl: no *.yaml policy files in " << options.files.front() << "\n";
    return kExitFailure;
  }
  bool allValid = true;
  std::vector<PolicyFile> parsed;
  for (const std::string& path : *files) {
    auto file = access::readPolicyFile(path);
    if (!file) {
      out << file.error().message << "\n";
      allValid = false;
      continue;
    }
    out << path << ": ok (" << plural(file->ruleCount(), "rule") << ", " << plural(file->budgetCount(), "budget")
        << ", " << plural(file->keyCount(), "key") << ")\n";
    parsed.push_back(std::move(*file));
  }
  // Files valid one by one may still clash: a rule id twice, two defaults.
  if (allValid && parsed.size() > 1) {
    auto set = access::PolicySet::build(std::move(parsed));
    if (!set) {
      out << set.error().message << "\n";
      allValid = false;
    }
  }
  return allValid ? kExitOk : kExitFailure;
}

AccessRequest requestOf(const PolicyOptions& o) {
  AccessRequest r;
  access::Subject& s = r.subject;
  s.unit = o.unit;
  s.containerId = o.container;
  s.containerRuntime = o.runtime;
  s.executable = o.executable;
  s.user = o.user;
  s.uid = o.uid;
  // The key the identity layer would give (identity/workload_identity.cpp).
  if (!o.workload.empty()) {
    s.workloadKey = o.workload;
  } else if (!o.container.empty()) {
    s.workloadKey = "container:" + (o.runtime.empty() ? std::string("docker") : o.runtime) + "/" + o.container;
  } else if (!o.unit.empty()) {
    s.workloadKey = "unit:" + o.unit;
  } else if (!o.executable.empty()) {
    s.workloadKey = "exe:" + o.executable;
  }
  s.known = !s.workloadKey.empty() || !o.user.empty() || o.uid.has_value();
  r.provider = o.provider;
  r.host = o.host;
  r.endpoint = o.endpoint;
  r.model = o.model;
  r.toolsDeclared = o.tools;
  r.detections = o.detections;
  r.riskScore = o.risk;
  r.keySha256 = o.keySha256;
  r.time = std::chrono::system_clock::now();
  return r;
}

int explain(const PolicyOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths = options.policies;
  if (paths.empty()) {
    for (const std::string& path : defaultPolicyPaths()) {
      std::error_code ec;
      if (std::filesystem::exists(path, ec)) paths.push_back(path);
    }
  }
  auto set = access::loadPolicySet(paths);
  if (!set) {
    err << "wardenctl: " << set.error().message << "\n";
    return kExitFailure;
  }
  const AccessRequest request = requestOf(options);
  const access::Explanation e = (*set)->explain(request);
  const access::AccessDecision& d = e.decision;
  out << "policies: ";
  for (size_t i = 0; i < paths.size(); ++i) out << (i ? ", " : "") << paths[i];
  out << (paths.empty() ? "(none found)\n" : "\n");
  if (!request.subject.known) out << "workload: unknown (no identity given)\n";
  out << "decision: " << access::actionName(d.action) << (d.enforced ? "" : " (monitor mode: not enforced)") << "\n";
  if (!d.ruleId.empty()) out << "rule: " << d.ruleId << " (policy " << d.policyName << ", " << d.source << ")\n";
  if (d.ruleId.empty() && !d.source.empty()) out << "default: policy " << d.policyName << ", " << d.source << "\n";
  out << "reason: " << d.reason << "\n";
  if (!d.flags.empty()) {
    out << "flags:";
    for (const std::string& flag : d.flags) out << " " << flag;
    out << "\n";
  }
  if (!e.keyCheck.empty()) out << "key: " << e.keyCheck << "\n";
  const auto budgets = (*set)->budgetsFor(request);
  if (!budgets.empty()) {
    out << "budgets:";
    for (const auto* budget : budgets) out << " " << budget->id;
    out << "\n";
  }
  if (e.steps.empty() && !e.keyCheck.empty() && d.ruleId.size() && d.action == access::Action::Deny) {
    out << "trace: the key binding decided before any rule was tried\n";
    return kExitOk;
  }
  out << "trace (" << e.steps.size() << " of " << (*set)->rules().size() << " rules tried, first match wins):\n";
  for (size_t i = 0; i < e.steps.size(); ++i) {
    const access::TraceStep& step = e.steps[i];
    out << "  " << (i + 1) << ". " << step.ruleId << " (" << step.source << "): "
        << (step.matched ? "MATCH" : "no: " + step.failure) << "\n";
  }
  return kExitOk;
}

// "--name VALUE" or "--name=VALUE"; nullopt when `args[i]` is another option.
std::optional<Result<std::string>> valueOf(const std::vector<std::string>& args, size_t& i, const std::string& name) {
  const std::string& arg = args[i];
  std::string value;
  if (arg == name) {
    if (i + 1 >= args.size()) return Result<std::string>(Error{name + " needs a value"});
    value = args[++i];
  } else if (arg.rfind(name + "=", 0) == 0) {
    value = arg.substr(name.size() + 1);
  } else {
    return std::nullopt;
  }
  if (value.empty()) return Result<std::string>(Error{name + " needs a value"});
  return Result<std::string>(std::move(value));
}

}  // namespace

std::vector<std::string> defaultPolicyPaths() {
  return {WARDEN_DATA_DIR "/access", "/etc/warden/policies.d"};
}

Result<PolicyOptions> parsePolicyArgs(const std::vector<std::string>& args) {
  PolicyOptions o;
  if (args.empty()) return Error{"policy needs a subcommand: check, explain or reload"};
  for (const std::string& arg : args) {
    if (arg == "-h" || arg == "--help") {
      o.help = true;
      return o;
    }
  }
  if (args[0] == "check") {
    o.command = PolicyOptions::Command::Check;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i].size() > 1 && args[i][0] == '-') return Error{"policy check takes files, not " + args[i]};
      o.files.push_back(args[i]);
    }
    if (o.files.empty()) return Error{"policy check needs at least one FILE (or directory)"};
    return o;
  }
  if (args[0] == "reload") {
    if (args.size() > 1) return Error{"policy reload takes no arguments (give --socket before `policy`)"};
    o.command = PolicyOptions::Command::Reload;
    return o;
  }
  if (args[0] != "explain") return Error{"unknown policy subcommand " + args[0]};
  o.command = PolicyOptions::Command::Explain;
  const std::pair<const char*, std::string*> texts[] = {
      {"--workload", &o.workload}, {"--unit", &o.unit},         {"--container", &o.container},
      {"--runtime", &o.runtime},   {"--exe", &o.executable},    {"--user", &o.user},
      {"--provider", &o.provider}, {"--host", &o.host},         {"--endpoint", &o.endpoint},
      {"--model", &o.model},       {"--key-sha256", &o.keySha256}};
  for (size_t i = 1; i < args.size(); ++i) {
    bool taken = false;
    for (const auto& [name, field] : texts) {
      if (auto v = valueOf(args, i, name)) {
        if (!*v) return v->error();
        *field = std::move(v->value());
        taken = true;
        break;
      }
    }
    if (taken) continue;
    if (auto v = valueOf(args, i, "--tool")) {
      if (!*v) return v->error();
      o.tools.push_back(std::move(v->value()));
    } else if (auto v = valueOf(args, i, "--detection")) {
      if (!*v) return v->error();
      o.detections.push_back(std::move(v->value()));
    } else if (auto v = valueOf(args, i, "--policies")) {
      if (!*v) return v->error();
      o.policies.push_back(std::move(v->value()));
      // "--policies A B": the words that follow are more paths.
      while (i + 1 < args.size() && !args[i + 1].starts_with("-")) o.policies.push_back(args[++i]);
    } else if (auto v = valueOf(args, i, "--uid")) {
      if (!*v) return v->error();
      uint32_t uid = 0;
      const std::string& text = v->value();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
      if (ec != std::errc() || end != text.data() + text.size()) return Error{"--uid needs a number, not " + text};
      o.uid = uid;
    } else if (auto v = valueOf(args, i, "--risk")) {
      if (!*v) return v->error();
      const std::string& text = v->value();
      double risk = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), risk);
      if (ec != std::errc() || end != text.data() + text.size() || risk < 0 || risk > 1) {
        return Error{"--risk needs a number from 0 to 1, not " + text};
      }
      o.risk = risk;
    } else {
      return Error{"unknown policy explain option " + args[i]};
    }
  }
  return o;
}

int runPolicy(const PolicyOptions& options, std::ostream& out, std::ostream& err) {
  return options.command == PolicyOptions::Command::Check ? check(options, out, err) : explain(options, out, err);
}

}  // namespace warden::cli
