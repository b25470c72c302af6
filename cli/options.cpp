#include "cli/options.h"

namespace warden::cli {

std::string usage() {
  return "usage: wardenctl [--socket PATH] [--json] COMMAND\n"
         "\n"
         "Commands:\n"
         "  status       show the agent: programs, targets, counters, CA\n"
         "  ca export    print the agent's CA certificate (PEM), to add to a trust store\n"
         "  help         show this help\n"
         "\n"
         "Options:\n"
         "  --socket PATH  control socket (default " +
         std::string(kDefaultSocket) + ", or $" + kSocketEnv +
         ")\n"
         "  --json         print the agent's answer as JSON\n"
         "  --version      print wardenctl's version\n"
         "  -h, --help     show this help\n";
}

Result<Options> parseArgs(const std::vector<std::string>& args, std::optional<std::string> envSocket) {
  Options options;
  if (envSocket && !envSocket->empty()) options.socketPath = *envSocket;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.action = Action::Help;
      return options;
    }
    if (arg == "--version") {
      options.action = Action::Version;
      return options;
    }
    if (arg == "--json") {
      options.json = true;
    } else if (arg == "--socket") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return Error{"--socket needs a path"};
      options.socketPath = args[++i];
    } else if (arg.rfind("--socket=", 0) == 0) {
      options.socketPath = arg.substr(std::string("--socket=").size());
      if (options.socketPath.empty()) return Error{"--socket needs a path"};
    } else if (arg.size() > 1 && arg[0] == '-') {
      return Error{"unknown option " + arg};
    } else {
      words.push_back(arg);
    }
  }
  if (words.empty()) return Error{"no command given"};
  if (words == std::vector<std::string>{"status"}) {
    options.action = Action::Status;
  } else if (words == std::vector<std::string>{"ca", "export"}) {
    options.action = Action::CaExport;
  } else if (words == std::vector<std::string>{"help"}) {
    options.action = Action::Help;
  } else if (words[0] == "ca") {
    return Error{words.size() == 1 ? "ca needs a subcommand: export" : "unknown ca subcommand " + words[1]};
  } else if (words[0] == "status" || words[0] == "help") {
    return Error{words[0] + " takes no arguments"};
  } else {
    return Error{"unknown command " + words[0]};
  }
  return options;
}

}  // namespace warden::cli
