// `wardenctl policy check FILE...` and `wardenctl policy explain ...`: the
// access policies read offline, as wardend would load them.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"

namespace warden::cli {

// Where wardend reads access policies, in this order: the shipped defaults,
// then the operator's.
std::vector<std::string> defaultPolicyPaths();

struct PolicyOptions {
  enum class Command { Check, Explain, Reload };  // Reload: asks the running wardend
  Command command = Command::Check;
  std::vector<std::string> files;     // check: files or directories
  std::vector<std::string> policies;  // explain: "" = defaultPolicyPaths() (those that exist)
  // explain: the request to decide on.
  std::string workload, unit, container, runtime, executable, user, provider, host, endpoint, model, keySha256;
  std::optional<uint32_t> uid;
  std::vector<std::string> tools;
  std::vector<std::string> detections;
  double risk = 0;
  bool help = false;  // -h/--help anywhere after `policy`
};

// The words after "policy". Errors are usage errors.
Result<PolicyOptions> parsePolicyArgs(const std::vector<std::string>& args);

// Returns the exit status: check 0 when every file is valid, else 1; explain
// 0 when the policies load, else 1.
int runPolicy(const PolicyOptions& options, std::ostream& out, std::ostream& err);

}  // namespace warden::cli
