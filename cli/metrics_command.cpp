#include "cli/metrics_command.h"

#include "cli/agent_config.h"
#include "cli/commands.h"
#include "cli/metrics_client.h"

namespace warden::cli {

int runMetrics(const Options& options, std::ostream& out, std::ostream& err) {
  // Quiet about a missing default file: the built-in port is the likely one.
  auto config = loadAgentConfig(options.configPath, options.configGiven, /*quiet=*/true, err);
  if (!config) {
    err << "wardenctl: " << config.error().message << "\n";
    return kExitFailure;
  }
  const std::string source = config->sourcePath.empty() ? "the built-in defaults" : config->sourcePath;
  if (!config->metrics.enabled) {
    err << "wardenctl: metrics are disabled in " << source
        << " (metrics.enabled: false); enable them and restart wardend\n";
    return kExitFailure;
  }
  auto page = fetchMetrics(config->metrics.port);
  if (!page) {
    err << "wardenctl: " << page.error().message << "\n";
    if (config->sourcePath.empty()) {
      err << "  (the port is the built-in default; give --config FILE if wardend reads another)\n";
    } else {
      err << "  (the port is metrics.port in " << config->sourcePath << ")\n";
    }
    return kExitFailure;
  }
  out << *page;
  return kExitOk;
}

}  // namespace warden::cli
