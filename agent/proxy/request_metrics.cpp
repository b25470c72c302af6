#include "proxy/request_metrics.h"

namespace warden::proxy {

void recordRequestMetrics(metrics::TrafficMetrics& metrics, const audit::Event& event) {
  metrics::RequestSample sample;
  if (event.llm) {
    if (!event.llm->provider.empty()) sample.provider = event.llm->provider;
    if (!event.llm->operation.empty()) sample.operation = event.llm->operation;
  }
  if (!event.decision.empty()) sample.decision = event.decision;
  if (event.validation) {
    if (!event.validation->verdict.empty()) sample.verdict = event.validation->verdict;
    // A refusal before any text was read took no validation time.
    if (event.validation->texts > 0) sample.validationDuration = event.validation->duration;
  }
  // The resolved workload when there is one: the executable name alone
  // lumps every python service of a host together.
  if (event.workload && !event.workload->key.empty()) {
    sample.workload = event.workload->key;
  } else if (event.identity && !event.identity->comm.empty()) {
    sample.workload = event.identity->comm;
  }
  sample.duration = event.duration;
  metrics.recordRequest(sample);
  if (event.validation) {
    for (const auto& finding : event.validation->findings) metrics.recordDetection(finding.id, finding.category);
  }
}

}  // namespace warden::proxy
