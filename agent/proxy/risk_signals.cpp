#include "proxy/risk_signals.h"

#include <algorithm>

namespace warden::proxy {
namespace {

// Findings that are not an attempt to steer the model: its own detector
// (harmful), smuggled characters (their own signal), and a size limit.
bool isAttack(const audit::ValidationFinding& finding) {
  return finding.category != "harmful" && finding.category != "hidden-text" && finding.category != "size-limit";
}

}  // namespace

anomaly::RequestSignals riskSignalsOf(const audit::Event& event, uint64_t requestBytes) {
  anomaly::RequestSignals signals;
  signals.requestBytes = requestBytes;
  if (event.llm && event.llm->request) signals.model = event.llm->request->model;
  if (const auto& validation = event.validation) {
    for (const auto& finding : validation->findings) {
      // Findings under the flag threshold are kept for explanation only.
      if (finding.verdict == "allow") continue;
      if (finding.category == "harmful") {
        signals.harmfulScore = std::max(signals.harmfulScore, finding.score);
      } else if (finding.category == "hidden-text") {
        signals.smuggling = true;
      } else if (isAttack(finding)) {
        signals.attackScore = std::max(signals.attackScore, finding.score);
      }
    }
    if (validation->sanitizedTexts > 0) signals.smuggling = true;
  }
  if (const auto& sensitive = event.sensitiveData) {
    signals.secrets = sensitive->secrets;
    signals.pii = sensitive->pii;
  }
  if (const auto& access = event.access) {
    signals.denied = access->action == "deny" && access->enforced;
    signals.keyTheft =
        std::find(access->flags.begin(), access->flags.end(), "key_theft_suspected") != access->flags.end();
  }
  return signals;
}

audit::AnomalyRecord anomalyRecordOf(const anomaly::RiskAssessment& assessment) {
  return audit::AnomalyRecord{assessment.score, assessment.reasons, assessment.requests};
}

}  // namespace warden::proxy
