#include "eval/latency.h"

#include "common/measure.h"

#include <time.h>

#include <chrono>
#include <numeric>
#include <span>
#include <string>

namespace warden::tools {
namespace {

// Cuts to at most `size` bytes without splitting a UTF-8 character.
size_t characterBoundary(std::string_view text, size_t size) {
  if (size >= text.size()) return text.size();
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
  return size;
}

std::vector<std::string> fixedSizePrompts(const std::vector<LabelledRow>& rows, size_t maxPrompts) {
  std::vector<std::string> prompts;
  std::string current;
  for (const LabelledRow& row : rows) {
    if (prompts.size() >= maxPrompts) break;
    if (!current.empty()) current += "\n\n";
    current += row.text;
    if (current.size() < kPromptBytes) continue;
    current.resize(characterBoundary(current, kPromptBytes));
    prompts.push_back(std::move(current));
    current.clear();
  }
  return prompts;
}

}  // namespace

void LatencySamples::add(double cpu, double wall, size_t size) {
  cpuSeconds.push_back(cpu);
  wallSeconds.push_back(wall);
  bytes += size;
}

double LatencySamples::cpuTotal() const { return std::accumulate(cpuSeconds.begin(), cpuSeconds.end(), 0.0); }

double LatencySamples::megabytesPerCpuSecond() const {
  const double total = cpuTotal();
  return total > 0 ? static_cast<double>(bytes) / 1e6 / total : 0;
}

TimedInspection timedInspect(const validation::PromptInspector& inspector, std::string_view text) {
  const validation::InspectedText one{validation::MessagePart::User, text};
  const double cpuStart = threadCpuSeconds();
  const auto wallStart = std::chrono::steady_clock::now();
  auto report = inspector.inspect(std::span(&one, 1));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  const double cpu = threadCpuSeconds() - cpuStart;
  return TimedInspection{std::move(report), cpu, wall};
}

Result<LatencySamples> measurePrompts(const validation::PromptInspector& inspector,
                                      const std::vector<LabelledRow>& rows, size_t maxPrompts, size_t rounds) {
  const std::vector<std::string> prompts = fixedSizePrompts(rows, maxPrompts);
  LatencySamples samples;
  for (const std::string& p : prompts) {  // warm caches and the thread's scratch
    auto timed = timedInspect(inspector, p);
    if (!timed.report) return timed.report.error();
  }
  for (size_t r = 0; r < rounds; ++r) {
    for (const std::string& p : prompts) {
      auto timed = timedInspect(inspector, p);
      if (!timed.report) return timed.report.error();
      samples.add(timed.cpuSeconds, timed.wallSeconds, p.size());
    }
  }
  return samples;
}

}  // namespace warden::tools
