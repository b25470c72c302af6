#include "metrics/family.h"

namespace warden::metrics {

std::vector<std::unique_ptr<ValueLimit>> limitsOf(const FamilySpec& spec) {
  std::vector<std::unique_ptr<ValueLimit>> limits(spec.labels.size());
  for (const auto& bound : spec.bounds) {
    for (size_t i = 0; i < spec.labels.size(); ++i) {
      if (spec.labels[i] == bound.label) limits[i] = std::make_unique<ValueLimit>(bound.limit, bound.overflow);
    }
  }
  return limits;
}

}  // namespace warden::metrics
