#include "cli/audit_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/agent_config.h"
#include "cli/commands.h"
#include "cli/spool_files.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/hash_chain.h"
#include "layers/audit/spool_layout.h"

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
    if (file.empty()) file = config->audit.spoolDir;
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
  // A spool directory is read segment after segment, as its chain runs.
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return fail(err, "cannot read the event log " + file + ": " + std::strerror(errno) +
                         " (give the spool directory or a segment: wardenctl audit verify PATH)");
  }
  std::vector<std::string> paths;
  if (S_ISDIR(st.st_mode)) {
    for (uint64_t segment : audit::listSegments(file)) paths.push_back(audit::segmentPath(file, segment));
    if (paths.empty()) return fail(err, file + " holds no spool segments (events-*.jsonl)");
  } else {
    paths.push_back(file);
  }
  SpoolFiles files(paths);
  std::istream in(&files);
  const audit::ChainReport report = audit::verifyChain(in, verifier ? &*verifier : nullptr);
  if (!files.unreadable().empty()) {
    return fail(err, "cannot read " + files.unreadable() + ": " + std::strerror(errno));
  }
  const auto [problemFile, problemLine] = files.locate(report.problemLine);
  if (options.json) {
    nlohmann::json result{{"file", file},
                          {"segments", paths.size()},
                          {"ok", report.ok},
                          {"lines", report.lines},
                          {"first_seq", report.firstSeq},
                          {"checkpoints", report.checkpoints},
                          {"checkpoints_verified", report.checkpointsVerified},
                          {"key", verifier ? verifier->keyId() : ""}};
    if (report.lastSignedSeq) result["last_signed_seq"] = *report.lastSignedSeq;
    if (!report.ok) {
      result["problem_file"] = problemFile;
      result["problem_line"] = problemLine;
      result["problem"] = report.problem;
    }
    out << result.dump(2) << "\n";
    return report.ok ? kExitOk : kExitFailure;
  }
  if (!report.ok) {
    out << problemFile << ":" << problemLine << ": chain broken: " << report.problem << "\n"
        << "  (the " << report.lines << " lines before it are intact)\n";
    return kExitFailure;
  }
  out << file << ": chain intact, " << report.lines << " lines";
  if (paths.size() > 1) out << " in " << paths.size() << " segments";
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
