// Reads the AccessPolicy documents of one YAML file (several may be separated
// by ---). The first mistake is reported as "FILE:LINE:COLUMN: key.path:
// message". Checks that span files (duplicate ids, a second default) are the
// policy set's (policy_set.h).
#pragma once

#include <string>

#include "core/result.h"
#include "layers/access/policy.h"

namespace warden::access {

inline constexpr const char* kApiVersion = "warden.dev/v1";
inline constexpr const char* kPolicyKind = "AccessPolicy";

Result<PolicyFile> parsePolicyText(const std::string& yamlText, const std::string& sourceName);

// Reads and parses one file; the path names it in errors.
Result<PolicyFile> readPolicyFile(const std::string& path);

}  // namespace warden::access
