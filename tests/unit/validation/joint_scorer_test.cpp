#include "layers/validation/joint_scorer.h"

#include <gtest/gtest.h>

#include <array>
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
        EXPECT_EQ(together[k], models[k]->score(features)) << count << " models, model " << k << ", " << bytes << " bytes";
      }
    }
  }
}

TEST(JointScorer, TakesOnlyModelsOfOneTableSize) {
  EXPECT_FALSE(JointScorer::of({seededModel(1)})) << "one model has nothing to share";
  EXPECT_FALSE(JointScorer::of({seededModel(1), seededModel(2, 12)})) << "tables of different sizes";
  EXPECT_FALSE(JointScorer::of({seededModel(1), nullptr}));
  EXPECT_FALSE(JointScorer::of({seededModel(1), seededModel(2), seededModel(3), seededModel(4), seededModel(5)}));
  const auto two = JointScorer::of({seededModel(1), seededModel(2)});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(two->hashBits(), 14u);
}

}  // namespace
}  // namespace warden::validation
