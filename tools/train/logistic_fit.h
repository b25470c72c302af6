// Logistic regression over hashed features, fitted with FTRL-proximal
// (per-coordinate learning rates and exact lazy L1/L2, which suit millions of
// sparse hashed features), single-threaded so a seed gives the same weights.
#pragma once

#include <cstdint>
#include <vector>

#include "layers/validation/text_classifier.h"
#include "train/train_options.h"

namespace warden::tools {

// One text's features as the scorer weighs them: each distinct index once,
// value = count / sqrt(number of features), so margin = bias + sum(w * value)
// equals TextClassifier::margin.
struct SparseRow {
  std::vector<uint32_t> index;
  std::vector<float> value;
};

SparseRow toSparseRow(const validation::FeatureHashes& features);

struct FitRow {
  const SparseRow* features = nullptr;
  bool positive = false;
  double weight = 1;  // this row's share of the loss
};

struct FittedModel {
  std::vector<float> weights;  // 2^hashBits
  float bias = 0;
};

FittedModel fitLogistic(const std::vector<FitRow>& rows, uint32_t hashBits, const FitSettings& settings, uint64_t seed);

}  // namespace warden::tools
