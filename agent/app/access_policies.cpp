#include "app/access_policies.h"

#include <filesystem>

#include "layers/access/policy_loader.h"

namespace warden::app {
namespace {

// Out of line: GCC 12 inlines Result<SecretsFile>'s destructor into
// loadAccess and then warns, wrongly, that it frees a non-heap object.
[[gnu::noinline]] Result<std::shared_ptr<const access::SecretsFile>> loadSecrets(const std::string& path) {
  auto secrets = access::SecretsFile::load(path);
  if (!secrets) return secrets.error();
  return std::make_shared<const access::SecretsFile>(std::move(*secrets));
}

}  // namespace

Result<LoadedAccess> loadAccess(const AccessConfig& config) {
  LoadedAccess loaded;
  if (!config.enabled) return loaded;
  std::vector<std::string> present;
  for (const auto& dir : config.policyDirs) {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec)) present.push_back(dir);
  }
  auto files = access::listPolicyFiles(present);
  if (!files) return files.error().wrap("listing access policies");
  loaded.files = std::move(*files);
  auto policies = access::loadPolicySet(loaded.files);
  if (!policies) return policies.error();
  loaded.policies = std::move(*policies);
  // Captured text is masked; without masking rules it would be raw.
  if (!loaded.policies->captures().empty() && config.maskingRulesDir.empty()) {
    const auto& capture = loaded.policies->captures().front();
    return Error{capture.source + ": capture '" + capture.id +
                 "' needs the masking rules (access.masking_rules_dir is \"\"): captured prompts and completions are "
                 "always masked"};
  }
  if (!config.secretsFile.empty()) {
    auto secrets = loadSecrets(config.secretsFile);
    if (!secrets) return secrets.error().wrap("loading the brokered keys");
    loaded.secrets = std::move(*secrets);
  }
  return loaded;
}

}  // namespace warden::app
