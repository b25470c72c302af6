// Models of one table size scored together: the injection and harmful
// models both read a user's text. Their weights are laid side by side per
// index, so each feature is one cache miss for all of them instead of one
// per model: looking weights up is most of the models' time on a text, and
// a table (1 MB) is as large as a core's L2 cache on the machines measured,
// so most lookups miss it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "layers/validation/text_classifier.h"

namespace warden::validation {

class JointScorer {
 public:
  static constexpr size_t kMaxModels = 4;
  // Above this the side-by-side copy (which the models' own tables do not
  // replace) costs more memory than the lookups it saves are worth.
  static constexpr uint32_t kMaxHashBits = 20;

  // Null unless there are 2..kMaxModels models, all of one hashBits, at
  // most kMaxHashBits.
  static std::unique_ptr<const JointScorer> of(std::vector<std::shared_ptr<const TextClassifier>> models);

  // probabilities[k]: what models[k]->score(features) gives, to the last
  // bit; features hashed with the models' hashBits. size() entries.
  void score(const FeatureHashes& features, std::span<double> probabilities) const;

  size_t size() const { return models_.size(); }
  const TextClassifier* model(size_t k) const { return models_[k].get(); }
  uint32_t hashBits() const { return models_.front()->info().hashBits; }

 private:
  explicit JointScorer(std::vector<std::shared_ptr<const TextClassifier>> models);
  template <size_t K>
  void scoreWith(const FeatureHashes& features, std::span<double> probabilities) const;

  std::vector<std::shared_ptr<const TextClassifier>> models_;
  std::vector<float> weights_;  // weights_[index * size() + k] is model k's
};

}  // namespace warden::validation
