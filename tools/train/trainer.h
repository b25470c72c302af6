// One training run: score every row of the training part out of fold,
// calibrate and choose the threshold on those scores, fit the model on all
// rows, write the model file, and say what was done.
#pragma once

#include <ostream>

#include "core/result.h"
#include "train/train_options.h"

namespace warden::tools {

// The false-positive rate per benign source the model must stay under on new
// text; the threshold aims lower (--target-fpr) to leave room for chance.
constexpr double kMaxSourceFpr = 0.01;

Status train(const TrainOptions& options, std::ostream& out);

}  // namespace warden::tools
