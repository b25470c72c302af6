#include "cli/agent_config.h"

#include <unistd.h>

namespace warden::cli {

Result<app::Config> loadAgentConfig(const std::string& path, bool given, bool quiet, std::ostream& err) {
  if (!given && ::access(path.c_str(), F_OK) != 0) {
    if (!quiet) err << "wardenctl: " << path << " not found; using the built-in defaults\n";
    return app::defaultConfig();
  }
  return app::loadConfig(path);
}

}  // namespace warden::cli
