// Command line of warden-eval.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/labelled_data.h"
#include "core/result.h"

namespace warden::tools {

struct EvalOptions {
  std::string data;
  std::vector<std::string> benignData;
  Part part = Part::HeldOut;
  std::string rulesDir;
  std::string injectionModel;  // empty: none
  std::string harmfulModel;
  bool injectionModelGiven = false;  // a missing default file is a note, a missing given file an error
  bool harmfulModelGiven = false;
  bool variants = false;
  bool json = false;
  std::optional<double> minBalancedAccuracy;
  size_t showErrors = 0;
  size_t latencyRounds = 4;  // passes over the 4 KB prompts
  bool help = false;
};

// sourceDir locates the default rules and models.
Result<EvalOptions> parseEvalOptions(const std::vector<std::string>& args, const std::string& sourceDir);

std::string evalUsage();

std::string_view partName(Part part);

}  // namespace warden::tools
