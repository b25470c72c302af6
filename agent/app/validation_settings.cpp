#include "app/validation_settings.h"

namespace warden::app {

validation::EngineFiles engineFilesOf(const ValidationConfig& config) {
  return {config.rulesDir, config.injectionModel, config.harmfulModel};
}

validation::InspectorPolicy inspectorPolicyOf(const ValidationConfig& config) {
  validation::InspectorPolicy p;
  p.flagScore = config.flagScore;
  p.blockScore = config.blockScore;
  p.systemFlagScore = config.systemFlagScore;
  p.systemBlockScore = config.systemBlockScore;
  p.indirectFlagScore = config.indirectFlagScore;
  p.indirectBlockScore = config.indirectBlockScore;
  p.harmfulFlagScore = config.harmfulFlagScore;
  p.harmfulBlockScore = config.harmfulBlockScore;
  p.sanitizeSmuggling = config.sanitizeSmuggling;
  p.hiddenTextRatio = config.hiddenTextRatio;
  p.cacheBytesPerThread = static_cast<size_t>(config.cacheMiB) << 20;
  return p;
}

Result<std::shared_ptr<const validation::PromptInspector>> loadValidationEngine(const ValidationConfig& config) {
  auto loaded = validation::loadPromptInspector(engineFilesOf(config), inspectorPolicyOf(config));
  if (!loaded) return loaded.error().wrap("loading the validation layer (config 'validation:')");
  return loaded;
}

}  // namespace warden::app
