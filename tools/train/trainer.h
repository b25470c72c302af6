// One training run: fit on the training part, calibrate on its kept-out slice,
// choose the threshold, write the model file, and say what was done.
#pragma once

#include <ostream>

#include "core/result.h"
#include "train/train_options.h"

namespace warden::tools {

// The largest false-positive rate the threshold allows on any benign source.
constexpr double kMaxSourceFpr = 0.01;

Status train(const TrainOptions& options, std::ostream& out);

}  // namespace warden::tools
