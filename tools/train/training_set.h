// Labelled rows mapped to one model's two classes, and the calibration slice.
#pragma once

#include <string>
#include <vector>

#include "common/labelled_data.h"
#include "core/result.h"
#include "train/train_options.h"

namespace warden::tools {

struct Example {
  std::string text;
  std::string label;  // as in the data ("jailbreak", "benign", ...)
  std::string source;
  bool positive = false;
};

// The rows of `part` that belong to the model: injection model: injection and
// jailbreak positive, benign negative; harmful model: rows of --harmful-data
// positive, benign rows of --data negative. A label the model does not know
// is an error naming file and line, so a new label is never silently a class.
Result<std::vector<Example>> loadExamples(const TrainOptions& options, Part part);

// "injection.dev.jsonl sha256:..." for each data file, for the model's metadata.
Result<std::string> describeTrainingData(const TrainOptions& options);

// The cross-fitting fold (0..folds-1) of a training row, by a hash of the text
// mixed with the seed (independent of the held-out hash, so both splits are
// ~uniform). Equal texts share a fold, so no text is scored by a model that
// was fitted on a copy of it.
size_t foldOf(std::string_view text, uint64_t seed, size_t folds);

}  // namespace warden::tools
