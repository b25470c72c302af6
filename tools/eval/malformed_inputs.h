// Inputs built to hurt a text engine (invalid UTF-8, one character ten
// million times, encodings nested deep), each inspected once and timed.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::tools {

struct MalformedResult {
  std::string name;
  size_t bytes = 0;
  double cpuSeconds = 0;
  validation::Verdict verdict = validation::Verdict::Allow;
};

// `unlimited` is the same engine without size limits: the ten-megabyte
// input is run through it too, so the normaliser's own bounds are timed.
Result<std::vector<MalformedResult>> runMalformedInputs(const validation::PromptInspector& inspector,
                                                        const validation::PromptInspector& unlimited);

}  // namespace warden::tools
