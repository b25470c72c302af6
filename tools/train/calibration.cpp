#include "train/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace warden::tools {
namespace {

// log(1 + exp(x)) without overflow.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

struct PlattProblem {
  const std::vector<double>& margins;
  std::vector<double> target;
  std::vector<double> weight;

  double loss(double a, double b) const {
    double sum = 0;
    for (size_t i = 0; i < margins.size(); ++i) {
      const double f = a * margins[i] + b;
      sum += weight[i] * (target[i] * softplus(-f) + (1 - target[i]) * softplus(f));
    }
    return sum;
  }
};

}  // namespace

PlattScaling fitPlatt(const std::vector<double>& margins, const std::vector<bool>& positive) {
  size_t positives = 0;
  for (const bool p : positive) positives += p;
  const size_t negatives = positive.size() - positives;
  PlattScaling out;
  if (positives == 0 || negatives == 0) return out;
  PlattProblem problem{margins, {}, {}};
  const double high = (positives + 1.0) / (positives + 2.0);
  const double low = 1.0 / (negatives + 2.0);
  for (const bool p : positive) {
    problem.target.push_back(p ? high : low);
    problem.weight.push_back(0.5 / static_cast<double>(p ? positives : negatives));
  }
  double a = 1;
  double b = 0;
  double current = problem.loss(a, b);
  for (; out.iterations < 100; ++out.iterations) {
    double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (size_t i = 0; i < margins.size(); ++i) {
      const double p = 1.0 / (1.0 + std::exp(-(a * margins[i] + b)));
      const double w = problem.weight[i];
      const double d = w * (p - problem.target[i]);
      const double h = w * p * (1 - p);
      ga += d * margins[i];
      gb += d;
      haa += h * margins[i] * margins[i];
      hab += h * margins[i];
      hbb += h;
    }
    if (std::abs(ga) < 1e-9 && std::abs(gb) < 1e-9) break;
    const double det = haa * hbb - hab * hab;
    const double da = -(hbb * ga - hab * gb) / det;
    const double db = -(-hab * ga + haa * gb) / det;
    double step = 1;
    bool moved = false;
    while (step >= 1e-10) {
      const double next = problem.loss(a + step * da, b + step * db);
      if (next < current + 1e-4 * step * (ga * da + gb * db)) {
        a += step * da;
        b += step * db;
        current = next;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break;
  }
  out.scale = a;
  out.shift = b;
  return out;
}

double chooseThreshold(const std::vector<ScoredExample>& scored, double maxFpr) {
  std::map<std::string, std::vector<double>> benign;
  for (const ScoredExample& s : scored) {
    if (!s.example->positive) benign[s.example->source].push_back(s.score);
  }
  if (benign.empty()) return 0.5;
  // Each source allows floor(maxFpr * n) scores at or above the threshold; the
  // threshold must lie above the next one down.
  double bound = -1;
  for (auto& [source, scores] : benign) {
    std::sort(scores.begin(), scores.end(), std::greater<>());
    const size_t allowed = static_cast<size_t>(std::floor(maxFpr * static_cast<double>(scores.size())));
    if (allowed < scores.size()) bound = std::max(bound, scores[allowed]);
  }
  double next = std::numeric_limits<double>::infinity();
  for (const ScoredExample& s : scored) {
    if (s.score > bound) next = std::min(next, s.score);
  }
  if (bound < 0) return 0;
  if (std::isinf(next)) return std::min(1.0, std::nextafter(bound, 2.0));
  return (bound + next) / 2;
}

Metrics crossCheckThreshold(const std::vector<ScoredExample>& scored, const std::vector<size_t>& fold, size_t folds,
                            double maxFpr) {
  std::vector<ScoredExample> decisions(scored.size());
  for (size_t k = 0; k < folds; ++k) {
    std::vector<ScoredExample> others;
    for (size_t i = 0; i < scored.size(); ++i) {
      if (fold[i] != k) others.push_back(scored[i]);
    }
    const double threshold = chooseThreshold(others, maxFpr);
    for (size_t i = 0; i < scored.size(); ++i) {
      if (fold[i] == k) decisions[i] = {scored[i].example, scored[i].score >= threshold ? 1.0 : 0.0};
    }
  }
  Metrics metrics = measure(decisions, 0.5);
  metrics.rocAuc = measure(scored, 0.5).rocAuc;
  return metrics;
}

}  // namespace warden::tools
