// --evaluate: a model file measured on the held-out part of the data, the
// rows no training run ever sees.
#pragma once

#include <ostream>

#include "core/result.h"
#include "train/train_options.h"

namespace warden::tools {

Status evaluate(const TrainOptions& options, std::ostream& out);

}  // namespace warden::tools
