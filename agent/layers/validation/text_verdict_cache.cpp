#include "layers/validation/text_verdict_cache.h"

namespace warden::validation {
namespace {

// Bookkeeping of a detection (its strings' headers) beyond its bytes.
constexpr size_t kDetectionOverhead = 160;

}  // namespace

size_t TextOutcomeCost::operator()(const TextOutcome& outcome) const {
  size_t cost = outcome.report.sanitized.size();
  for (const Detection& d : outcome.detections) {
    cost += kDetectionOverhead + d.id.size() + d.category.size() + d.detail.size();
  }
  return cost;
}

}  // namespace warden::validation
