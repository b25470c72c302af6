#include "layers/access/key_broker.h"

namespace warden::access {
namespace {

std::string workloadName(const Subject& subject) {
  if (!subject.known) return "an unidentified workload";
  if (!subject.unit.empty()) return "workload '" + subject.unit + "'";
  if (!subject.workloadKey.empty()) return "workload '" + subject.workloadKey + "'";
  return "this workload";
}

}  // namespace

std::optional<std::string_view> placeholderSecret(std::string_view credential) {
  constexpr std::string_view kBearer = "Bearer ";
  if (credential.starts_with(kBearer)) credential.remove_prefix(kBearer.size());
  if (!credential.starts_with(kPlaceholderPrefix)) return std::nullopt;
  credential.remove_prefix(kPlaceholderPrefix.size());
  if (credential.empty()) return std::nullopt;
  return credential;
}

Result<std::string> brokeredKey(const PolicySet& policies, const SecretsFile& secrets, const AccessRequest& request,
                                std::string_view placeholder) {
  auto name = placeholderSecret(placeholder);
  if (!name) return Error{"the credential is not a warden:<secret> placeholder"};
  const std::string secret(*name);
  const KeyEntry* key = policies.keyBySecret(secret);
  if (!key) return Error{"no access policy key brokers secret '" + secret + "'"};
  if (!key->provider.empty() && key->provider != request.provider) {
    return Error{"key '" + key->id + "' is for provider " + key->provider + ", not " +
                 (request.provider.empty() ? std::string("an unknown provider") : request.provider)};
  }
  if (const Criterion* failed = key->allow.firstFailure(request)) {
    return Error{workloadName(request.subject) + " may not use brokered key '" + key->id + "' (" +
                 describeFailure(*failed, request) + ")"};
  }
  auto real = secrets.find(secret);
  if (!real) return Error{"secret '" + secret + "' of key '" + key->id + "' is not in the secrets file"};
  return std::string(*real);
}

}  // namespace warden::access
