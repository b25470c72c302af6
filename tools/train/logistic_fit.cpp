#include "train/logistic_fit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace warden::tools {
namespace {

class Ftrl {
 public:
  Ftrl(size_t size, const FitSettings& settings) : z_(size, 0.0), n_(size, 0.0), settings_(settings) {}

  double weight(size_t i) const {
    const double z = z_[i];
    if (std::abs(z) <= settings_.l1) return 0;
    const double sign = z < 0 ? -1 : 1;
    return -(z - sign * settings_.l1) / ((settings_.beta + std::sqrt(n_[i])) / settings_.alpha + settings_.l2);
  }

  double margin(const SparseRow& row) const {
    double m = biasWeight();
    for (size_t k = 0; k < row.index.size(); ++k) m += weight(row.index[k]) * row.value[k];
    return m;
  }

  void update(const SparseRow& row, double gradient) {
    for (size_t k = 0; k < row.index.size(); ++k) {
      const uint32_t i = row.index[k];
      step(z_[i], n_[i], weight(i), gradient * row.value[k]);
    }
    step(biasZ_, biasN_, biasWeight(), gradient);
  }

  // The bias is not regularised: it only sets the base rate.
  double biasWeight() const { return -biasZ_ / ((settings_.beta + std::sqrt(biasN_)) / settings_.alpha); }

 private:
  void step(double& z, double& n, double w, double g) const {
    const double sigma = (std::sqrt(n + g * g) - std::sqrt(n)) / settings_.alpha;
    z += g - sigma * w;
    n += g * g;
  }

  std::vector<double> z_;
  std::vector<double> n_;
  double biasZ_ = 0;
  double biasN_ = 0;
  FitSettings settings_;
};

// Fisher-Yates with the raw 64-bit generator: std::shuffle's use of the
// generator differs between standard libraries, which would break "same seed,
// same file" across builds.
void shuffle(std::vector<size_t>& order, std::mt19937_64& random) {
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random() % i]);
}

}  // namespace

SparseRow toSparseRow(const validation::FeatureHashes& features) {
  std::vector<uint32_t> sorted = features.indices;
  std::sort(sorted.begin(), sorted.end());
  SparseRow row;
  if (sorted.empty()) return row;
  // Present or not: an index in several blocks of a long text is one feature
  // of the row. (The fit reads the whole row; the scorer's windows only
  // matter for rows longer than two blocks, and the out-of-fold scores the
  // calibration comes from use them.)
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const float unit = static_cast<float>(1.0 / std::sqrt(static_cast<double>(sorted.size())));
  row.index = sorted;
  row.value.assign(sorted.size(), unit);
  return row;
}

FittedModel fitLogistic(const std::vector<FitRow>& rows, uint32_t hashBits, const FitSettings& settings,
                        uint64_t seed) {
  const size_t size = size_t{1} << hashBits;
  Ftrl ftrl(size, settings);
  std::mt19937_64 random(seed);
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  for (uint32_t epoch = 0; epoch < settings.epochs; ++epoch) {
    shuffle(order, random);
    for (const size_t r : order) {
      const FitRow& row = rows[r];
      const double p = 1.0 / (1.0 + std::exp(-ftrl.margin(*row.features)));
      ftrl.update(*row.features, (p - (row.positive ? 1.0 : 0.0)) * row.weight);
    }
  }
  FittedModel out;
  out.weights.resize(size);
  for (size_t i = 0; i < size; ++i) out.weights[i] = static_cast<float>(ftrl.weight(i));
  out.bias = static_cast<float>(ftrl.biasWeight());
  return out;
}

}  // namespace warden::tools
