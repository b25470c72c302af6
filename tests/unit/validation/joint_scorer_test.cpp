#include "layers/validation/joint_scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "layers/validation/normalizer.h"

namespace warden::validation {
namespace {

// A model whose weights come from `seed`: uneven, of both signs.
std::shared_ptr<const TextClassifier> seededModel(uint32_t seed, uint32_t hashBits = 14) {
  ClassifierInfo info;
  info.id = "model.test" + std::to_string(seed);
  info.hashBits = hashBits;
  std::vector<float> weights(size_t{1} << hashBits);
  uint32_t state = seed;
  for (float& w : weights) {
    state = state * 1103515245u + 12345u;
    w = static_cast<float>(static_cast<int>((state >> 8) % 2001) - 1000) / 997.0f;
  }
  return std::make_shared<const TextClassifier>(info, std::move(weights), -0.25f * static_cast<float>(seed % 3),
                                                1.0f + 0.1f * static_cast<float>(seed % 5), 0.3f);
}

// Random lower-case words: long ones have many blocks, so many windows.
std::string randomText(size_t bytes, uint32_t seed) {
  std::string text;
  uint32_t state = seed;
  while (text.size() < bytes) {
    state = state * 1103515245u + 12345u;
    text.push_back(static_cast<char>('a' + (state >> 16) % 26));
    if ((state >> 8) % 6 == 0) text.push_back(' ');
  }
  return text;
}

// The margin as TextClassifier computed it before models could be scored
// together, written out again: four partial sums of the block's weights,
// the window rule of margin(). Both the joint and the single path must give
// exactly this.
double referenceSum(const std::vector<float>& weights, const uint32_t* indices, size_t count) {
  const uint32_t mask = static_cast<uint32_t>(weights.size() - 1);
  double a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    a += weights[indices[i] & mask];
    b += weights[indices[i + 1] & mask];
    c += weights[indices[i + 2] & mask];
    d += weights[indices[i + 3] & mask];
  }
  for (; i < count; ++i) a += weights[indices[i] & mask];
  return a + b + c + d;
}

double referenceMargin(const TextClassifier& model, const FeatureHashes& f) {
  const auto marginOf = [&](double sum, size_t count) {
    return static_cast<double>(model.bias()) + (count == 0 ? 0.0 : sum / std::sqrt(static_cast<double>(count)));
  };
  const std::vector<float>& w = model.weights();
  const std::vector<uint32_t>& ends = f.blockEnds;
  const uint32_t* indices = f.indices.data();
  if (ends.size() <= 1) return marginOf(referenceSum(w, indices, f.indices.size()), f.indices.size());
  double best = -std::numeric_limits<double>::infinity();
  double wholeBefore = 0;
  size_t countBefore = 0;
  for (size_t k = 0; k < ends.size(); ++k) {
    const size_t begin = k == 0 ? 0 : ends[k - 1];
    const size_t shared = f.blockShared[k];
    const double own = referenceSum(w, indices + begin + shared, ends[k] - begin - shared);
    const size_t ownCount = ends[k] - begin - shared;
    if (k > 0) best = std::max(best, marginOf(wholeBefore + own, countBefore + ownCount));
    wholeBefore = referenceSum(w, indices + begin, shared) + own;
    countBefore = ends[k] - begin;
  }
  return best;
}

TEST(JointScorer, GivesEachModelItsOwnScoreToTheLastBit) {
  const std::vector<std::shared_ptr<const TextClassifier>> models = {seededModel(1), seededModel(2), seededModel(3),
                                                                     seededModel(4)};
  for (size_t count = 2; count <= JointScorer::kMaxModels; ++count) {
    const auto joint = JointScorer::of({models.begin(), models.begin() + static_cast<std::ptrdiff_t>(count)});
    ASSERT_TRUE(joint) << count;
    // No features, one block, two, and many (windows); three n-grams or fewer
    // leave the partial sums' tail to itself.
    for (const size_t bytes : {size_t{0}, size_t{5}, size_t{300}, size_t{2500}, size_t{20000}}) {
      FeatureHashes features;
      TextClassifier::hashFeatures(normalize(randomText(bytes, static_cast<uint32_t>(bytes) + 7)), 14, features);
      std::array<double, JointScorer::kMaxModels> together{};
      joint->score(features, together);
      for (size_t k = 0; k < count; ++k) {
        const double reference = models[k]->probabilityOf(referenceMargin(*models[k], features));
        EXPECT_EQ(models[k]->margin(features), referenceMargin(*models[k], features)) << k << ", " << bytes << " bytes";
        EXPECT_EQ(together[k], reference) << count << " models, model " << k << ", " << bytes << " bytes";
        EXPECT_EQ(models[k]->score(features), reference) << k << ", " << bytes << " bytes";
      }
    }
  }
}

TEST(JointScorer, TakesOnlyModelsOfOneTableSize) {
  EXPECT_FALSE(JointScorer::of({seededModel(1)})) << "one model has nothing to share";
  EXPECT_FALSE(JointScorer::of({seededModel(1), seededModel(2, 12)})) << "tables of different sizes";
  EXPECT_FALSE(JointScorer::of({seededModel(1), nullptr}));
  EXPECT_FALSE(JointScorer::of({seededModel(1), seededModel(2), seededModel(3), seededModel(4), seededModel(5)}));
  EXPECT_FALSE(JointScorer::of({seededModel(1, 21), seededModel(2, 21)})) << "too large to copy side by side";
  const auto two = JointScorer::of({seededModel(1), seededModel(2)});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(two->hashBits(), 14u);
}

}  // namespace
}  // namespace warden::validation
