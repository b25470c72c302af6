#include "train/metrics.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace warden::tools {
namespace {

double rocAuc(const std::vector<ScoredExample>& scored) {
  std::vector<std::pair<double, bool>> points;
  points.reserve(scored.size());
  for (const ScoredExample& s : scored) points.emplace_back(s.score, s.example->positive);
  std::sort(points.begin(), points.end());
  // Mann-Whitney U with ties counted half.
  double positivesBelow = 0;
  double negativesBelow = 0;
  double pairsWon = 0;
  size_t positives = 0;
  size_t negatives = 0;
  for (size_t i = 0; i < points.size();) {
    size_t j = i;
    double tiedPositives = 0;
    double tiedNegatives = 0;
    while (j < points.size() && points[j].first == points[i].first) {
      (points[j].second ? tiedPositives : tiedNegatives) += 1;
      ++j;
    }
    pairsWon += tiedPositives * (negativesBelow + 0.5 * tiedNegatives);
    positivesBelow += tiedPositives;
    negativesBelow += tiedNegatives;
    i = j;
  }
  positives = static_cast<size_t>(positivesBelow);
  negatives = static_cast<size_t>(negativesBelow);
  if (positives == 0 || negatives == 0) return 0;
  return pairsWon / (static_cast<double>(positives) * static_cast<double>(negatives));
}

std::vector<SourceRate> sorted(std::map<std::string, SourceRate>& rates) {
  std::vector<SourceRate> out;
  for (auto& [name, rate] : rates) {
    rate.name = name;
    out.push_back(rate);
  }
  return out;
}

}  // namespace

Metrics measure(const std::vector<ScoredExample>& scored, double threshold) {
  std::map<std::string, SourceRate> negatives;
  std::map<std::string, SourceRate> positives;
  SourceRate allNegatives;
  SourceRate allPositives;
  for (const ScoredExample& s : scored) {
    const bool flagged = s.score >= threshold;
    SourceRate& rate =
        s.example->positive ? positives[s.example->label + " " + s.example->source] : negatives[s.example->source];
    SourceRate& all = s.example->positive ? allPositives : allNegatives;
    ++rate.total;
    ++all.total;
    rate.flagged += flagged;
    all.flagged += flagged;
  }
  Metrics metrics;
  metrics.negatives = sorted(negatives);
  metrics.positives = sorted(positives);
  metrics.recall = allPositives.rate();
  metrics.falsePositiveRate = allNegatives.rate();
  metrics.balancedAccuracy = (metrics.recall + 1.0 - metrics.falsePositiveRate) / 2;
  for (const SourceRate& rate : metrics.negatives)
    metrics.worstSourceFpr = std::max(metrics.worstSourceFpr, rate.rate());
  metrics.rocAuc = rocAuc(scored);
  return metrics;
}

void printMetrics(std::ostream& out, const Metrics& m, double threshold) {
  char where[64];
  std::snprintf(where, sizeof where, "threshold %.4f", threshold);
  printMetrics(out, m, std::string_view(where));
}

void printMetrics(std::ostream& out, const Metrics& m, std::string_view where) {
  char line[256];
  std::snprintf(line, sizeof line, "  at %.*s: balanced accuracy %.4f, recall %.4f, FPR %.4f, ROC AUC %.4f\n",
                static_cast<int>(where.size()), where.data(), m.balancedAccuracy, m.recall, m.falsePositiveRate,
                m.rocAuc);
  out << line;
  for (const SourceRate& r : m.negatives) {
    std::snprintf(line, sizeof line, "    FPR     %-45s %6.2f%%  (%zu of %zu)\n", r.name.c_str(), 100 * r.rate(),
                  r.flagged, r.total);
    out << line;
  }
  for (const SourceRate& r : m.positives) {
    std::snprintf(line, sizeof line, "    recall  %-45s %6.2f%%  (%zu of %zu)\n", r.name.c_str(), 100 * r.rate(),
                  r.flagged, r.total);
    out << line;
  }
}

}  // namespace warden::tools
