#include "metrics/callback_family.h"

#include "metrics/exposition.h"

namespace warden::metrics {

CallbackFamily::CallbackFamily(FamilySpec spec, CallbackKind kind, Collect collect)
    : Family(std::move(spec)), kind_(kind), collect_(std::move(collect)) {}

void CallbackFamily::render(std::string& out) const {
  appendHeader(out, spec_.name, spec_.help, kind_ == CallbackKind::Counter ? "counter" : "gauge");
  for (const Sample& sample : collect_()) {
    if (sample.labels.size() != spec_.labels.size()) continue;
    appendSeriesName(out, spec_.name, spec_.labels, sample.labels);
    out += ' ';
    appendValue(out, sample.value);
    out += '\n';
  }
}

}  // namespace warden::metrics
