// wardend's command line.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace warden::app {

inline constexpr const char* kDefaultConfigPath = "/etc/warden/warden.yaml";

struct Options {
  std::string configPath = kDefaultConfigPath;
  bool configPathGiven = false;  // an explicit --config must exist
  std::optional<std::string> cgroupOverride;
  std::string logLevel = "info";
  bool checkConfigOnly = false;
  bool showHelp = false;
  bool showVersion = false;
};

Result<Options> parseOptions(int argc, char** argv);
std::string usageText();

}  // namespace warden::app
