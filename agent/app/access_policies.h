// Loads layer 3 as the configuration's `access:` section names it: the
// policy files of each directory in order, and the brokered keys' secrets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/result.h"
#include "layers/access/policy_set.h"
#include "layers/access/secrets_file.h"

namespace warden::app {

struct LoadedAccess {
  std::shared_ptr<const access::PolicySet> policies;  // null when access.enabled is false
  std::shared_ptr<const access::SecretsFile> secrets;  // null without access.secrets_file
  std::vector<std::string> files;                      // the policy files, in load order
};

// A policy directory that does not exist is skipped (a host without
// /etc/warden/policies.d runs the shipped defaults); any file that does not
// validate fails the whole load, naming file, line and column.
Result<LoadedAccess> loadAccess(const AccessConfig& config);

}  // namespace warden::app
