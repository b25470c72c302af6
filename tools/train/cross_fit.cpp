#include "train/cross_fit.h"

#include <array>
#include <cmath>
#include <map>
#include <string>

namespace warden::tools {

void weighRows(std::vector<TrainingRow>& rows, const FitSettings& settings) {
  const double sourceBalance = settings.sourceBalance;
  std::map<std::pair<bool, std::string>, size_t> perSource;
  size_t originals = 0;
  for (const TrainingRow& row : rows) {
    if (row.copy) continue;
    ++perSource[{row.example->positive, row.example->source}];
    ++originals;
  }
  std::array<double, 2> classTotal{0, 0};
  for (const auto& [key, n] : perSource) {
    classTotal[key.first] += static_cast<double>(n) * std::pow(static_cast<double>(n), -sourceBalance);
  }
  for (TrainingRow& row : rows) {
    const bool positive = row.example->positive;
    const double n = static_cast<double>(perSource[{positive, row.example->source}]);
    const double share = positive ? settings.positiveShare : 1 - settings.positiveShare;
    const double weight = std::pow(n, -sourceBalance) / classTotal[positive] * static_cast<double>(originals) * share;
    row.weight = row.copy ? weight * settings.spacedCopies : weight;
  }
}

FittedModel fitRows(const std::vector<TrainingRow>& rows, size_t leftOutFold, const TrainOptions& options) {
  std::vector<FitRow> fit;
  for (const TrainingRow& row : rows) {
    if (row.fold == leftOutFold || row.weight <= 0) continue;
    fit.push_back(FitRow{&row.sparse, row.example->positive, row.weight});
  }
  // A seed per fold, so the folds' models are not fitted in one shuffled order.
  const uint64_t seed = leftOutFold == kAllFolds ? options.seed : options.seed * 1000003 + leftOutFold + 1;
  return fitLogistic(fit, options.hashBits, options.fit, seed);
}

CrossFit crossFit(const std::vector<TrainingRow>& rows, const TrainOptions& options) {
  std::vector<double> margins(rows.size(), 0.0);
  std::vector<double> sum(size_t{1} << options.hashBits, 0.0);
  double biasSum = 0;
  for (size_t fold = 0; fold < options.folds; ++fold) {
    FittedModel model = fitRows(rows, fold, options);
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += model.weights[i];
    biasSum += model.bias;
    validation::ClassifierInfo info;
    info.hashBits = options.hashBits;
    const validation::TextClassifier scorer(info, std::move(model.weights), model.bias, 1, 0);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].fold == fold) margins[i] = scorer.margin(rows[i].features);
    }
  }
  const double folds = static_cast<double>(options.folds);
  FittedModel average;
  average.weights.reserve(sum.size());
  for (const double w : sum) average.weights.push_back(static_cast<float>(w / folds));
  average.bias = static_cast<float>(biasSum / folds);
  return {std::move(margins), std::move(average)};
}

}  // namespace warden::tools
