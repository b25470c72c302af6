// Turning margins into probabilities (Platt scaling) and choosing the
// reporting threshold, both on the calibration slice the fit never saw.
#pragma once

#include <vector>

#include "train/metrics.h"

namespace warden::tools {

struct PlattScaling {
  double scale = 1;
  double shift = 0;
  size_t iterations = 0;
};

// Fits p = 1 / (1 + exp(-(scale * margin + shift))) by Newton's method on the
// log loss with Platt's smoothed targets. Each class weighs half, so 0.5
// means "as likely an attack as not" whatever the mix of the slice.
PlattScaling fitPlatt(const std::vector<double>& margins, const std::vector<bool>& positive);

// The lowest threshold at which every benign source of `scored` has a
// false-positive rate of at most maxFpr (highest recall under that bound),
// placed halfway to the next score above it.
double chooseThreshold(const std::vector<ScoredExample>& scored, double maxFpr);

}  // namespace warden::tools
