#include "cli/audit_command.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/agent_config.h"
#include "cli/commands.h"
#include "layers/audit/hash_chain.h"

namespace warden::cli {

int runAuditVerify(const Options& options, std::ostream& out, std::ostream& err) {
  std::string file = options.audit.file;
  if (file.empty()) {
    auto config = loadAgentConfig(options.configPath, options.configGiven, options.json, err);
    if (!config) {
      err << "wardenctl: " << config.error().message << "\n";
      return kExitFailure;
    }
    file = config->eventsFile;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "wardenctl: cannot read the event log " << file << ": " << std::strerror(errno)
        << " (give the file: wardenctl audit verify FILE)\n";
    return kExitFailure;
  }
  const audit::ChainReport report = audit::verifyChain(in);
  if (options.json) {
    nlohmann::json result{{"file", file}, {"ok", report.ok}, {"lines", report.lines}, {"first_seq", report.firstSeq}};
    if (!report.ok) {
      result["problem_line"] = report.problemLine;
      result["problem"] = report.problem;
    }
    out << result.dump(2) << "\n";
  } else if (report.ok) {
    out << file << ": chain intact, " << report.lines << " events";
    if (report.lines > 0) out << " (seq " << report.firstSeq << " to " << report.firstSeq + report.lines - 1 << ")";
    out << "\n";
  } else {
    out << file << ":" << report.problemLine << ": chain broken: " << report.problem << "\n"
        << "  (the " << report.lines << " lines before it are intact)\n";
  }
  return report.ok ? kExitOk : kExitFailure;
}

}  // namespace warden::cli
