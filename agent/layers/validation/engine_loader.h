// Builds the layer-1 engine from files: the rule packs of a directory and the
// two model files. wardend does this at start (and refuses to start when any
// file is wrong: it must not run blind); `wardenctl scan` does it to run the
// same engine offline.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::validation {

struct EngineFiles {
  std::string rulesDir;        // every *.yaml / *.yml in it
  std::string injectionModel;  // "" = no injection/jailbreak model
  std::string harmfulModel;    // "" = no harmful-request model
};

Result<std::shared_ptr<const PromptInspector>> loadPromptInspector(const EngineFiles& files, InspectorPolicy policy);

}  // namespace warden::validation
