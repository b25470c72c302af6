#include "cli/commands.h"

#include <iostream>

#include "cli/audit_command.h"
#include "cli/control_client.h"
#include "cli/identities_view.h"
#include "cli/metrics_command.h"
#include "cli/policy_command.h"
#include "cli/scan_command.h"
#include "cli/status_view.h"

namespace warden::cli {
namespace {

int fail(std::ostream& err, const Error& error) {
  err << "wardenctl: " << error.message << "\n";
  return kExitFailure;
}

int status(const Options& options, std::ostream& out, std::ostream& err) {
  auto result = callAgent(options.socketPath, {{"command", "status"}});
  if (!result) return fail(err, result.error());
  out << (options.json ? result->dump(2) + "\n" : renderStatus(*result));
  return kExitOk;
}

int identities(const Options& options, std::ostream& out, std::ostream& err) {
  auto result = callAgent(options.socketPath, {{"command", "identities"}});
  if (!result) return fail(err, result.error());
  out << (options.json ? result->dump(2) + "\n" : renderIdentities(*result));
  return kExitOk;
}

// The running wardend reads its policy files again; a policy that does not
// validate is refused (exit 1, with wardend's FILE:LINE:COLUMN) and the old
// one stays in force.
int policyReload(const Options& options, std::ostream& out, std::ostream& err) {
  auto result = callAgent(options.socketPath, {{"command", "policy.reload"}});
  if (!result) return fail(err, result.error());
  if (options.json) {
    out << result->dump(2) << "\n";
    return kExitOk;
  }
  out << "policies reloaded: " << result->value("rules", 0) << " rules, " << result->value("budgets", 0)
      << " budgets, " << result->value("keys", 0) << " keys from " << result->value("files", nlohmann::json::array()).size()
      << " file(s)\n";
  return kExitOk;
}

int caExport(const Options& options, std::ostream& out, std::ostream& err) {
  auto result = callAgent(options.socketPath, {{"command", "ca.export"}});
  if (!result) return fail(err, result.error());
  if (options.json) {
    out << result->dump(2) << "\n";
    return kExitOk;
  }
  auto pem = result->find("pem");
  if (pem == result->end() || !pem->is_string()) return fail(err, Error{"wardend sent no certificate (no \"pem\")"});
  std::string text = pem->get<std::string>();
  if (!text.empty() && text.back() != '\n') text += "\n";
  out << text;
  return kExitOk;
}

}  // namespace

int runCommand(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
  switch (options.action) {
    case Action::Help:
      out << usage();
      return kExitOk;
    case Action::Version:
      out << "wardenctl " << WARDEN_VERSION << "\n";
      return kExitOk;
    case Action::Status:
      return status(options, out, err);
    case Action::Identities:
      return identities(options, out, err);
    case Action::CaExport:
      return caExport(options, out, err);
    case Action::Scan:
      return runScan(options, in, out, err);
    case Action::AuditVerify:
      return runAuditVerify(options, out, err);
    case Action::Metrics:
      return runMetrics(options, out, err);
    case Action::Policy:
      if (options.policy.command == PolicyOptions::Command::Reload) return policyReload(options, out, err);
      return runPolicy(options.policy, out, err);
  }
  return kExitUsage;
}

int runCommand(const Options& options, std::ostream& out, std::ostream& err) {
  return runCommand(options, std::cin, out, err);
}

}  // namespace warden::cli
