// wardenctl: the operator's view of wardend, through its control socket, and
// its validation engine run offline (scan).
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace warden::cli;
  std::optional<std::string> envSocket;
  if (const char* env = std::getenv(kSocketEnv)) envSocket = env;
  auto options = parseArgs(std::vector<std::string>(argv + 1, argv + argc), envSocket);
  if (!options) {
    std::cerr << "wardenctl: " << options.error().message << "\n\n" << usage();
    return kExitUsage;
  }
  return runCommand(*options, std::cin, std::cout, std::cerr);
}
