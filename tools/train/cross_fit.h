// Cross-fitting: the training part is cut into folds and every row is scored
// by a model fitted on the other folds, so calibration and the threshold see
// scores of text the model never fitted, on all training rows instead of a
// small slice; the shipped model is then fitted on every row.
#pragma once

#include <limits>
#include <vector>

#include "layers/validation/text_classifier.h"
#include "train/logistic_fit.h"
#include "train/train_options.h"
#include "train/training_set.h"

namespace warden::tools {

struct TrainingRow {
  const Example* example = nullptr;
  size_t fold = 0;
  bool copy = false;  // a rewritten copy of a row: fitted on if weighted, never calibrated on
  double weight = 1;  // share of the loss (weighRows)
  SparseRow sparse;
  validation::FeatureHashes features;  // what the scorer sees
};

// The positive class weighs positiveShare of the loss, the negative class the
// rest; inside a class a source of n rows weighs n^(1 - sourceBalance) in
// all; a copy weighs spacedCopies of its original. Mean weight 1 over the
// original rows.
void weighRows(std::vector<TrainingRow>& rows, const FitSettings& settings);

constexpr size_t kAllFolds = std::numeric_limits<size_t>::max();

// Fits on every row outside `leftOutFold` (kAllFolds: on every row).
FittedModel fitRows(const std::vector<TrainingRow>& rows, size_t leftOutFold, const TrainOptions& options);

struct CrossFit {
  // Every row's margin under the model fitted without that row's fold (a copy
  // shares its original's fold, so neither is seen before scoring).
  std::vector<double> margins;
  // The mean of the folds' models (its margin is the mean of theirs): an
  // alternative to refitting on all rows (--final average).
  FittedModel average;
};

CrossFit crossFit(const std::vector<TrainingRow>& rows, const TrainOptions& options);

}  // namespace warden::tools
