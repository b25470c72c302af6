// wardend: see agent/app/agent.h for the startup order.
#include <exception>
#include <iostream>

#include "app/agent.h"
#include "app/config.h"
#include "app/options.h"
#include "core/heap_tuning.h"
#include "core/log.h"

namespace {

warden::Result<warden::app::Config> loadConfigFor(const warden::app::Options& options) {
  if (!options.configPathGiven && access(options.configPath.c_str(), F_OK) != 0) {
    warden::logger("app")->warn("{} not found; using built-in defaults", options.configPath);
    return warden::app::defaultConfig();
  }
  return warden::app::loadConfig(options.configPath);
}

}  // namespace

int main(int argc, char** argv) {
  warden::keepFreedHeapMemory();
  auto options = warden::app::parseOptions(argc, argv);
  if (!options) {
    std::cerr << "wardend: " << options.error().message << "\n";
    return 2;
  }
  if (options->showHelp) {
    std::cout << warden::app::usageText();
    return 0;
  }
  if (options->showVersion) {
    std::cout << "wardend " << WARDEN_VERSION << "\n";
    return 0;
  }
  auto level = spdlog::level::from_str(options->logLevel);
  if (level == spdlog::level::off && options->logLevel != "off") {
    std::cerr << "wardend: unknown log level '" << options->logLevel << "'\n";
    return 2;
  }
  warden::setLogLevel(level);

  auto config = loadConfigFor(*options);
  if (!config) {
    std::cerr << "wardend: " << config.error().message << "\n";
    return 1;
  }
  if (options->cgroupOverride) config->cgroup = *options->cgroupOverride;
  if (options->checkConfigOnly) {
    std::cout << "configuration OK: " << (config->sourcePath.empty() ? "built-in defaults" : config->sourcePath)
              << "\n";
    return 0;
  }
  try {
    return warden::app::runAgent(*options, std::move(*config));
  } catch (const std::exception& e) {
    // Errors are values everywhere we expect them; this is what the standard
    // library may still throw on this thread (a thread that cannot start,
    // memory). Caught, the stack unwinds, so the programs are detached and
    // the pins removed. (On another thread it is std::terminate: the
    // heartbeat then goes stale and the programs fail open or closed.)
    std::cerr << "wardend: stopped on an unexpected error: " << e.what() << "\n";
    return 1;
  }
}
