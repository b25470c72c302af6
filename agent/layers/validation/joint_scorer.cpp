#include "layers/validation/joint_scorer.h"

#include <array>

#include "layers/validation/window_margins.h"

namespace warden::validation {

std::unique_ptr<const JointScorer> JointScorer::of(std::vector<std::shared_ptr<const TextClassifier>> models) {
  if (models.size() < 2 || models.size() > kMaxModels) return nullptr;
  for (const auto& model : models) {
    if (!model || model->info().hashBits != models.front()->info().hashBits) return nullptr;
  }
  if (models.front()->info().hashBits > kMaxHashBits) return nullptr;
  return std::unique_ptr<const JointScorer>(new JointScorer(std::move(models)));
}

JointScorer::JointScorer(std::vector<std::shared_ptr<const TextClassifier>> models) : models_(std::move(models)) {
  const size_t count = models_.size();
  const size_t entries = models_.front()->weights().size();
  weights_.resize(entries * count);
  for (size_t k = 0; k < count; ++k) {
    const std::vector<float>& own = models_[k]->weights();
    for (size_t index = 0; index < entries; ++index) weights_[index * count + k] = own[index];
  }
}

void JointScorer::score(const FeatureHashes& features, std::span<double> probabilities) const {
  static_assert(kMaxModels == 4, "one case per model count of() allows");
  switch (models_.size()) {
    case 2: return scoreWith<2>(features, probabilities);
    case 3: return scoreWith<3>(features, probabilities);
    default: return scoreWith<4>(features, probabilities);  // of() allows 2..kMaxModels
  }
}

template <size_t K>
void JointScorer::scoreWith(const FeatureHashes& features, std::span<double> probabilities) const {
  std::array<double, K> bias;
  for (size_t k = 0; k < K; ++k) bias[k] = models_[k]->bias();
  const auto mask = static_cast<uint32_t>(weights_.size() / K - 1);
  const std::array<double, K> margins =
      detail::bestWindowMargins<K>(features, bias, [&](const uint32_t* indices, size_t count) {
        return detail::interleavedSums<K>(weights_.data(), mask, indices, count);
      });
  for (size_t k = 0; k < K && k < probabilities.size(); ++k) probabilities[k] = models_[k]->probabilityOf(margins[k]);
}

}  // namespace warden::validation
