#include "app/options.h"

#include <string_view>

namespace warden::app {

std::string usageText() {
  return R"(Usage: wardend [OPTIONS]

warden's agent: redirects connections to LLM API endpoints from every workload
in a cgroup (eBPF, cgroup connect hooks), terminates TLS for LLM host names with
its own CA, relays each request to the real upstream and logs it as an event.

Options:
  -c, --config PATH     configuration file (default /etc/warden/warden.yaml;
                        built-in defaults are used when the default is absent)
      --cgroup PATH     attach to this cgroup v2 directory instead of the
                        configured one (default: the cgroup2 mount root)
      --check-config    validate the configuration, print it, and exit
      --log-level LVL   trace, debug, info, warn, error (default info)
  -h, --help            show this help
      --version         print the version

Signals: SIGTERM/SIGINT detach every program and stop; the programs stay
attached only after a crash, where the heartbeat makes them fail open (or
closed, if configured).
Control: wardenctl talks to <runtime_dir>/control.sock (root only).
)";
}

Result<Options> parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto needValue = [&](std::string_view name) -> Result<std::string> {
      if (i + 1 >= argc) return Error{std::string(name) + " needs a value"};
      return std::string(argv[++i]);
    };
    if (arg == "-h" || arg == "--help") {
      options.showHelp = true;
    } else if (arg == "--version") {
      options.showVersion = true;
    } else if (arg == "--check-config") {
      options.checkConfigOnly = true;
    } else if (arg == "-c" || arg == "--config") {
      auto v = needValue(arg);
      if (!v) return v.error();
      options.configPath = *v;
      options.configPathGiven = true;
    } else if (arg == "--cgroup") {
      auto v = needValue(arg);
      if (!v) return v.error();
      options.cgroupOverride = *v;
    } else if (arg == "--log-level") {
      auto v = needValue(arg);
      if (!v) return v.error();
      options.logLevel = *v;
    } else {
      return Error{"unknown option '" + std::string(arg) + "' (see wardend --help)"};
    }
  }
  return options;
}

}  // namespace warden::app
