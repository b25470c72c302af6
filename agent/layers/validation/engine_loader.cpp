#include "layers/validation/engine_loader.h"

namespace warden::validation {
namespace {

Result<std::shared_ptr<const TextClassifier>> loadModel(const std::string& path, const char* what) {
  if (path.empty()) return std::shared_ptr<const TextClassifier>();
  auto model = TextClassifier::load(path);
  if (!model) return model.error().wrap(std::string("loading the ") + what + " model");
  return model;
}

}  // namespace

Result<std::shared_ptr<const PromptInspector>> loadPromptInspector(const EngineFiles& files, InspectorPolicy policy) {
  auto rules = RuleSet::loadDirectory(files.rulesDir);
  if (!rules) return rules.error().wrap("loading the signature rules from " + files.rulesDir);
  if (rules.value()->rules().empty()) {
    return Error{"no signature rules in " + files.rulesDir + ": the directory holds no *.yaml rule pack"};
  }
  auto injection = loadModel(files.injectionModel, "injection");
  if (!injection) return injection.error();
  auto harmful = loadModel(files.harmfulModel, "harmful-request");
  if (!harmful) return harmful.error();
  return std::make_shared<const PromptInspector>(std::move(rules.value()), std::move(injection.value()),
                                                 std::move(harmful.value()), std::move(policy));
}

}  // namespace warden::validation
