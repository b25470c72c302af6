#include "metrics/counter_family.h"

#include "metrics/exposition.h"

namespace warden::metrics {

CounterFamily::CounterFamily(FamilySpec spec) : Family(std::move(spec)), series_(limitsOf(spec_), 0) {}

void CounterFamily::add(LabelView values, uint64_t by) {
  if (values.size() != spec_.labels.size()) return;
  series_.update(values, [by](uint64_t& count) { count += by; });
}

void CounterFamily::render(std::string& out) const {
  appendHeader(out, spec_.name, spec_.help, "counter");
  const auto all = series_.merged([](uint64_t& total, uint64_t count) { total += count; });
  // A family without labels has its one series from the start.
  if (all.empty() && spec_.labels.empty()) {
    out += spec_.name;
    out += " 0\n";
    return;
  }
  for (const auto& [values, count] : all) {
    appendSeriesName(out, spec_.name, spec_.labels, values);
    out += ' ';
    appendValue(out, count);
    out += '\n';
  }
}

}  // namespace warden::metrics
