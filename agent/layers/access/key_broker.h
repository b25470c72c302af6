// Brokered keys: a workload holds only a placeholder,
//   Authorization: Bearer warden:<secret-name>   (x-api-key: warden:<name> for Anthropic)
// and the proxy swaps in the real key when the policies' key entry for that
// secret admits the workload. The workload never sees the key, so it cannot
// leak it. Errors name the key entry and secret, never the key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "layers/access/access_request.h"
#include "layers/access/policy_set.h"
#include "layers/access/secrets_file.h"

namespace warden::access {

inline constexpr std::string_view kPlaceholderPrefix = "warden:";

// The secret name of a placeholder credential: "Bearer warden:NAME" or
// "warden:NAME" (a header value, case-sensitive scheme-less form included);
// nullopt when the value is an ordinary key.
std::optional<std::string_view> placeholderSecret(std::string_view credential);

// The real key for `placeholder` (a header value as above), only when a key
// entry brokers that secret, its provider (if set) is the request's, and its
// allow matches the request.
Result<std::string> brokeredKey(const PolicySet& policies, const SecretsFile& secrets, const AccessRequest& request,
                                std::string_view placeholder);

}  // namespace warden::access
