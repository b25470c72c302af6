// How the `validation:` section of the configuration becomes the layer-1
// engine. wardend and `wardenctl scan` both build it here, so an offline scan
// runs with the agent's files and thresholds and fails with the agent's words.
#pragma once

#include <memory>

#include "app/config.h"
#include "core/result.h"
#include "layers/validation/engine_loader.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::app {

validation::EngineFiles engineFilesOf(const ValidationConfig& config);
validation::InspectorPolicy inspectorPolicyOf(const ValidationConfig& config);

// Loads the rule packs and models `config` names (whether or not
// `config.enabled`); a missing or corrupt file is an error naming it.
Result<std::shared_ptr<const validation::PromptInspector>> loadValidationEngine(const ValidationConfig& config);

}  // namespace warden::app
