#include "cli/audit_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/agent_config.h"
#include "cli/commands.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/hash_chain.h"

namespace warden::cli {
namespace {

int fail(std::ostream& err, const std::string& message) {
  err << "wardenctl: " << message << "\n";
  return kExitFailure;
}

}  // namespace

int runAuditVerify(const Options& options, std::ostream& out, std::ostream& err) {
  std::string file = options.audit.file;
  std::string keyPath = options.audit.key;
  if (file.empty() || keyPath.empty()) {
    auto config = loadAgentConfig(options.configPath, options.configGiven, options.json, err);
    if (!config) return fail(err, config.error().message);
    if (file.empty()) file = config->eventsFile;
    // The default key may be absent (another host's log): the chain is still checked.
    if (keyPath.empty()) {
      const std::string shipped = config->stateDir + "/" + audit::kAuditPublicKeyFile;
      if (::access(shipped.c_str(), F_OK) == 0) keyPath = shipped;
    }
  }
  std::optional<audit::CheckpointVerifier> verifier;
  if (!keyPath.empty()) {
    auto loaded = audit::CheckpointVerifier::load(keyPath);
    if (!loaded) return fail(err, loaded.error().message);
    verifier = std::move(*loaded);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(err, "cannot read the event log " + file + ": " + std::strerror(errno) +
                         " (give the file: wardenctl audit verify FILE)");
  }
  const audit::ChainReport report = audit::verifyChain(in, verifier ? &*verifier : nullptr);
  if (options.json) {
    nlohmann::json result{{"file", file},
                          {"ok", report.ok},
                          {"lines", report.lines},
                          {"first_seq", report.firstSeq},
                          {"checkpoints", report.checkpoints},
                          {"checkpoints_verified", report.checkpointsVerified},
                          {"key", verifier ? verifier->keyId() : ""}};
    if (report.lastSignedSeq) result["last_signed_seq"] = *report.lastSignedSeq;
    if (!report.ok) {
      result["problem_line"] = report.problemLine;
      result["problem"] = report.problem;
    }
    out << result.dump(2) << "\n";
    return report.ok ? kExitOk : kExitFailure;
  }
  if (!report.ok) {
    out << file << ":" << report.problemLine << ": chain broken: " << report.problem << "\n"
        << "  (the " << report.lines << " lines before it are intact)\n";
    return kExitFailure;
  }
  out << file << ": chain intact, " << report.lines << " lines";
  if (report.lines > 0) out << " (seq " << report.firstSeq << " to " << report.firstSeq + report.lines - 1 << ")";
  out << "\n";
  if (!verifier) {
    out << "  " << report.checkpoints << " checkpoint(s) not verified: no public key (--key audit.pub)\n";
  } else if (report.lastSignedSeq) {
    out << "  " << report.checkpointsVerified << " checkpoint(s) signed with key " << verifier->keyId()
        << " verified; lines after seq " << *report.lastSignedSeq << " are not covered by a signature yet\n";
  } else {
    out << "  no checkpoint signed with key " << verifier->keyId() << " in it yet\n";
  }
  return kExitOk;
}

}  // namespace warden::cli
