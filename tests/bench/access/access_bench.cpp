// What a layer-3 decision costs: PolicySet::evaluate with 1,000 rules over
// 10,000 workload identities, microseconds per evaluation (p50, p99), against
// a 1-rule set measured in the same run (the loop's own cost), and against
// the same 1,000 rules written so the exact-unit index cannot serve them
// (every rule tried in turn). Prints figures; it is not a test.
//
//   warden-access-bench [--seconds S]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "layers/access/policy_parser.h"
#include "layers/access/policy_set.h"

namespace {

using namespace warden::access;

constexpr int kRules = 1000;
constexpr int kIdentities = 10000;
constexpr int kServices = 1200;  // more services than rules: some identities match no exact rule

double nowSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string header() { return "apiVersion: warden.dev/v1\nkind: AccessPolicy\nmetadata: {name: bench}\nspec:\n  rules:\n"; }

// 80% rules on one exact unit, 15% on a unit glob, 5% on no identity at all;
// `indexable` false writes the exact units as one-character classes, which
// match the same names but are globs.
std::string thousandRules(bool indexable) {
  std::string yaml = header();
  for (int i = 0; i < kRules; ++i) {
    yaml += "    - id: r" + std::to_string(i) + "\n      priority: " + std::to_string(i % 7) + "\n";
    if (i % 20 < 16) {
      const std::string unit = "system.slice/svc-" + std::to_string(i) + ".servic" + (indexable ? "e" : "[e]");
      yaml += "      match: { unit: [\"" + unit + "\"], model: [\"gpt-4o-mini*\"] }\n      action: allow\n";
    } else if (i % 20 < 19) {
      yaml += "      match: { unit: [\"system.slice/team-" + std::to_string(i) +
              "-*\"], toolsDeclared: [\"shell\", \"exec*\"] }\n      action: deny\n";
    } else {
      yaml += "      match: { model: [\"o1-" + std::to_string(i) + "*\"], riskAbove: 0.8 }\n      action: deny\n";
    }
  }
  yaml += "  default: { action: deny }\n";
  return yaml;
}

std::string oneRule() {
  return header() + "    - id: only\n      match: { unit: [\"system.slice/svc-1.service\"] }\n      action: allow\n";
}

std::vector<AccessRequest> identities() {
  std::vector<AccessRequest> out;
  out.reserve(kIdentities);
  for (int i = 0; i < kIdentities; ++i) {
    AccessRequest r;
    r.subject.known = true;
    r.subject.unit = (i % 10 == 9 ? "system.slice/team-" : "system.slice/svc-") + std::to_string(i % kServices) +
                     (i % 10 == 9 ? "-worker.service" : ".service");
    r.subject.workloadKey = "unit:" + r.subject.unit;
    r.subject.uid = 1000 + static_cast<uint32_t>(i % 50);
    r.provider = "openai";
    r.host = "api.openai.com";
    r.endpoint = "/v1/chat/completions";
    r.model = i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini";
    r.toolsDeclared = {"search"};
    r.riskScore = 0.1;
    out.push_back(std::move(r));
  }
  return out;
}

struct Figures {
  double p50 = 0, p99 = 0, mean = 0;
};

Figures measure(const PolicySet& set, const std::vector<AccessRequest>& requests, double seconds) {
  std::vector<double> samples;
  size_t sink = 0;
  for (const AccessRequest& r : requests) sink += static_cast<size_t>(set.evaluate(r).action);  // warm
  const double start = nowSeconds();
  size_t i = 0;
  while (nowSeconds() - start < seconds) {
    const AccessRequest& r = requests[i++ % requests.size()];
    const double t0 = nowSeconds();
    sink += static_cast<size_t>(set.evaluate(r).action);
    samples.push_back(nowSeconds() - t0);
  }
  if (sink == static_cast<size_t>(-1)) std::printf("(impossible)\n");
  std::sort(samples.begin(), samples.end());
  Figures f;
  f.p50 = samples[samples.size() / 2] * 1e6;
  f.p99 = samples[static_cast<size_t>(0.99 * static_cast<double>(samples.size() - 1))] * 1e6;
  double total = 0;
  for (double s : samples) total += s;
  f.mean = total / static_cast<double>(samples.size()) * 1e6;
  return f;
}

std::shared_ptr<const PolicySet> build(const std::string& yaml) {
  auto file = parsePolicyText(yaml, "bench.yaml");
  if (!file) {
    std::fprintf(stderr, "%s\n", file.error().message.c_str());
    std::exit(1);
  }
  std::vector<PolicyFile> files;
  files.push_back(std::move(*file));
  auto set = PolicySet::build(std::move(files));
  if (!set) {
    std::fprintf(stderr, "%s\n", set.error().message.c_str());
    std::exit(1);
  }
  return *set;
}

void print(const char* name, const Figures& f) {
  std::printf("%s_p50_us=%.3f\n%s_p99_us=%.3f\n%s_mean_us=%.3f\n", name, f.p50, name, f.p99, name, f.mean);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]  (seconds per figure, default 1)\n", argv[0]);
      return 2;
    }
  }
  const auto requests = identities();
  const auto baseline = build(oneRule());
  const auto indexed = build(thousandRules(true));
  const auto linear = build(thousandRules(false));
  // The two 1,000-rule sets must decide alike; only their speed differs.
  for (const AccessRequest& r : requests) {
    if (indexed->evaluate(r).ruleId != linear->evaluate(r).ruleId) {
      std::fprintf(stderr, "indexed and linear sets disagree for %s\n", r.subject.unit.c_str());
      return 1;
    }
  }
  std::printf("--- warden access bench (evaluate, one thread, %d identities) ---\n", kIdentities);
  std::printf("rules=%zu indexed_rules=%zu\n", indexed->rules().size(), indexed->indexedRuleCount());
  const Figures base = measure(*baseline, requests, seconds);
  const Figures fast = measure(*indexed, requests, seconds);
  const Figures slow = measure(*linear, requests, seconds);
  print("baseline_1_rule", base);
  print("rules_1000_indexed", fast);
  print("rules_1000_linear", slow);
  std::printf("indexed_vs_baseline_p50_ratio=%.2f\n", fast.p50 / base.p50);
  std::printf("linear_vs_baseline_p50_ratio=%.2f\n", slow.p50 / base.p50);
  std::printf("--- end ---\n");
  return 0;
}
