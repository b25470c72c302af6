// Turning margins into probabilities (Platt scaling) and choosing the
// reporting threshold, both on out-of-fold scores (text the fit never saw).
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

// How the threshold rule carries over to text it was not chosen on: for each
// fold, the threshold chosen on the other folds' scores decides that fold's
// rows. The metrics pool those decisions (their ROC AUC is the pooled one of
// the scores). `fold[i]` is the fold of scored[i].
Metrics crossCheckThreshold(const std::vector<ScoredExample>& scored, const std::vector<size_t>& fold, size_t folds,
                            double maxFpr);

}  // namespace warden::tools
