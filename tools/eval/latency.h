// Timing of PromptInspector::inspect() on one thread: thread CPU time (what
// one core spends, steady on a busy machine) and wall time of each call.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/labelled_data.h"
#include "core/result.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::tools {

struct LatencySamples {
  std::vector<double> cpuSeconds;
  std::vector<double> wallSeconds;
  size_t bytes = 0;

  void add(double cpu, double wall, size_t size);
  double cpuTotal() const;
  double megabytesPerCpuSecond() const;
};

struct TimedInspection {
  Result<validation::InspectionReport> report;
  double cpuSeconds = 0;
  double wallSeconds = 0;
};

// The text is inspected as one user message.
TimedInspection timedInspect(const validation::PromptInspector& inspector, std::string_view text);

// Prompts of exactly kPromptBytes made of the rows' texts (joined, cut at a
// character boundary), each inspected `rounds` times after one warm-up pass.
inline constexpr size_t kPromptBytes = 4096;
Result<LatencySamples> measurePrompts(const validation::PromptInspector& inspector,
                                      const std::vector<LabelledRow>& rows, size_t maxPrompts, size_t rounds);

}  // namespace warden::tools
