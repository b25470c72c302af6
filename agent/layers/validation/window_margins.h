// How a text's features become a model's margin (feature scheme 3's
// windows), shared by a model scored alone (TextClassifier) and by models
// scored together (JointScorer), so both give the same margin to the last bit.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "layers/validation/text_classifier.h"

namespace warden::validation::detail {

inline double marginOf(double bias, double sum, size_t count) {
  return bias + (count == 0 ? 0.0 : sum / std::sqrt(static_cast<double>(count)));
}

// Each of K models' sums of weights over `count` indices, from K tables laid
// side by side: weights[index * K + k] is model k's. Four independent sums
// per model (one would make every addition wait for the last), added in the
// same order whatever K is.
template <size_t K>
std::array<double, K> interleavedSums(const float* weights, uint32_t mask, const uint32_t* indices, size_t count) {
  std::array<std::array<double, 4>, K> partial{};
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (size_t lane = 0; lane < 4; ++lane) {
      const float* w = weights + size_t{indices[i + lane] & mask} * K;
      for (size_t k = 0; k < K; ++k) partial[k][lane] += w[k];
    }
  }
  for (; i < count; ++i) {
    const float* w = weights + size_t{indices[i] & mask} * K;
    for (size_t k = 0; k < K; ++k) partial[k][0] += w[k];
  }
  std::array<double, K> sums;
  for (size_t k = 0; k < K; ++k) sums[k] = partial[k][0] + partial[k][1] + partial[k][2] + partial[k][3];
  return sums;
}

// A window is two blocks: the whole text up to 2 * kFeatureBlockBytes, and
// for a longer one the highest margin of its windows, each starting a block
// after the last. Over a whole long text, sum / sqrt(count) grows with the
// length whenever the mean weight of its features is above zero: 32 KB of
// source code or a licence text scored as an attack. A window is about as
// long as most texts the model was fitted on, and a phrase anywhere in the
// text falls whole in one. `sums(indices, count)` gives each model's sum
// (std::array<double, K>). Each weight is read once: a block's sum is what
// it shares with the block before plus the rest; a window is one block whole
// and the next block's rest.
template <size_t K, class Sums>
std::array<double, K> bestWindowMargins(const FeatureHashes& features, const std::array<double, K>& bias, Sums&& sums) {
  const std::vector<uint32_t>& ends = features.blockEnds;
  const uint32_t* indices = features.indices.data();
  std::array<double, K> best;
  if (ends.size() <= 1) {
    const std::array<double, K> all = sums(indices, features.indices.size());
    for (size_t k = 0; k < K; ++k) best[k] = marginOf(bias[k], all[k], features.indices.size());
    return best;
  }
  best.fill(-std::numeric_limits<double>::infinity());
  std::array<double, K> wholeBefore{};
  size_t countBefore = 0;
  for (size_t b = 0; b < ends.size(); ++b) {
    const size_t begin = b == 0 ? 0 : ends[b - 1];
    const size_t shared = features.blockShared[b];
    const size_t ownCount = ends[b] - begin - shared;
    const std::array<double, K> own = sums(indices + begin + shared, ownCount);
    if (b > 0) {
      for (size_t k = 0; k < K; ++k) {
        best[k] = std::max(best[k], marginOf(bias[k], wholeBefore[k] + own[k], countBefore + ownCount));
      }
    }
    const std::array<double, K> sharedSums = sums(indices + begin, shared);
    for (size_t k = 0; k < K; ++k) wholeBefore[k] = sharedSums[k] + own[k];
    countBefore = ends[b] - begin;
  }
  return best;
}

}  // namespace warden::validation::detail
