// Finds and loads policy files: the proxy passes the shipped defaults then
// /etc/warden/policies.d; wardenctl passes what the operator names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "layers/access/policy_set.h"

namespace warden::access {

// Each path is a file (taken as is) or a directory (its *.yaml and *.yml
// files, by name; not recursive). A path that does not exist is an error:
// callers drop optional locations first.
Result<std::vector<std::string>> listPolicyFiles(const std::vector<std::string>& paths);

// listPolicyFiles, each file parsed, then PolicySet::build in that order.
Result<std::shared_ptr<const PolicySet>> loadPolicySet(const std::vector<std::string>& paths);

}  // namespace warden::access
