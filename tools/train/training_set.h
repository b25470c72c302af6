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
  std::string label;   // as in the data ("jailbreak", "benign", ...)
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

// Rows of the training part kept out of fitting to calibrate the scores and
// pick the threshold: one in five, by a hash of the text mixed with the seed
// (independent of the held-out hash, so both splits are ~uniform).
bool inCalibrationSlice(std::string_view text, uint64_t seed);

}  // namespace warden::tools
