// warden-masking-eval: measures layer 3's secret and personal-data masking
// on labelled data.
//
//   warden-masking-eval --data DIR [--rules DIR] [--json] [--show-errors N]
//                       [--min-secret-recall X] [--max-secret-fp-rate X] [--min-pii-recall X]
//
// DIR holds secrets.dev.jsonl and pii.dev.jsonl. With a --min/--max figure
// the exit status is 1 when the engine falls short (the CI guard).
// --show-errors prints up to N missed and falsely flagged texts: look at
// them for format mistakes, not to fit rules to rows.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "layers/access/masking/sensitive_data_scanner.h"
#include "masking_eval/masking_evaluation.h"

namespace {

using namespace warden;
using namespace warden::tools;

struct Options {
  std::string dataDir;
  std::string rulesDir = std::string(WARDEN_SOURCE_DIR) + "/policies/masking";
  bool json = false;
  size_t showErrors = 0;
  std::optional<double> minSecretRecall;
  std::optional<double> maxSecretFpRate;
  std::optional<double> minPiiRecall;
};

constexpr const char* kUsage =
    "usage: warden-masking-eval --data DIR [--rules DIR] [--json] [--show-errors N]\n"
    "                           [--min-secret-recall X] [--max-secret-fp-rate X] [--min-pii-recall X]\n";

std::optional<Options> parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const auto fraction = [&](std::optional<double>& out) {
      const char* v = next();
      if (!v) return false;
      char* end = nullptr;
      const double d = std::strtod(v, &end);
      if (*end != '\0' || d < 0 || d > 1) return false;
      out = d;
      return true;
    };
    bool ok = true;
    if (arg == "--data") {
      const char* v = next();
      ok = v;
      if (v) o.dataDir = v;
    } else if (arg == "--rules") {
      const char* v = next();
      ok = v;
      if (v) o.rulesDir = v;
    } else if (arg == "--show-errors") {
      const char* v = next();
      ok = v && std::strtoul(v, nullptr, 10) > 0;
      if (ok) o.showErrors = std::strtoul(v, nullptr, 10);
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--min-secret-recall") {
      ok = fraction(o.minSecretRecall);
    } else if (arg == "--max-secret-fp-rate") {
      ok = fraction(o.maxSecretFpRate);
    } else if (arg == "--min-pii-recall") {
      ok = fraction(o.minPiiRecall);
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "warden-masking-eval: bad argument '" << arg << "' (figures are fractions from 0 to 1)\n" << kUsage;
      return std::nullopt;
    }
  }
  if (o.dataDir.empty()) {
    std::cerr << "warden-masking-eval: --data is required\n" << kUsage;
    return std::nullopt;
  }
  return o;
}

nlohmann::json ratioJson(const Ratio& r) { return {{"hits", r.hits}, {"total", r.total}, {"rate", r.rate()}}; }

template <class Map>
nlohmann::json ratiosJson(const Map& map) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, r] : map) out[name] = ratioJson(r);
  return out;
}

void printRatio(const char* indent, const std::string& name, const Ratio& r) {
  std::printf("%s%-40s %6.3f  (%zu/%zu)\n", indent, name.c_str(), r.rate(), r.hits, r.total);
}

void printText(const SecretFigures& s, const PiiFigures& p, const SpeedFigures& speed, size_t rules) {
  std::printf("masking engine: %zu rules\n\nsecrets\n", rules);
  printRatio("  ", "row recall (secret rows)", s.recall);
  for (const auto& [source, r] : s.recallBySource) printRatio("    ", source, r);
  printRatio("  ", "false-positive rate (no_secret rows)", s.falsePositives);
  for (const auto& [source, r] : s.falsePositiveBySource) printRatio("    ", source, r);
  std::printf("  entity recall by type group (labelled spans overlapped by a secret match)\n");
  for (const auto& [group, r] : s.entityRecallByGroup) printRatio("    ", group, r);
  std::printf("\npii\n");
  printRatio("  ", "entity recall (detectable types)", p.recall);
  for (const auto& [type, r] : p.recallByType) {
    printRatio("    ", type, r);
    printRatio("    ", type + " (match of that type)", p.typedRecallByType.at(type));
  }
  for (const auto& [type, n] : p.notDetected) {
    std::printf("    %-40s not detected (needs entity recognition; %zu labelled)\n", type.c_str(), n);
  }
  for (const auto& [type, n] : p.outOfScope) {
    std::printf("    %-40s out of scope (%zu labelled)\n", type.c_str(), n);
  }
  printRatio("  ", "over-masking (rows without entities)", p.overMasking);
  std::printf("  matches overlapping no labelled entity, by type\n");
  for (const auto& [type, n] : p.unlabelledMatches) std::printf("    %-40s %zu\n", type.c_str(), n);
  std::printf("\nspeed (one core, CPU time)\n  %-40s %.1f MB/s over %zu bytes\n  %-40s %.1f us\n", "throughput",
              speed.megabytesPerSecond, speed.bytes, "p99 per 4 KB text", speed.p99MicrosPer4k);
}

nlohmann::json toJson(const SecretFigures& s, const PiiFigures& p, const SpeedFigures& speed, size_t rules) {
  return {
      {"rules", rules},
      {"secrets",
       {{"recall", ratioJson(s.recall)},
        {"recall_by_source", ratiosJson(s.recallBySource)},
        {"false_positive_rate", ratioJson(s.falsePositives)},
        {"false_positive_rate_by_source", ratiosJson(s.falsePositiveBySource)},
        {"entity_recall_by_group", ratiosJson(s.entityRecallByGroup)}}},
      {"pii",
       {{"recall", ratioJson(p.recall)},
        {"recall_by_type", ratiosJson(p.recallByType)},
        {"typed_recall_by_type", ratiosJson(p.typedRecallByType)},
        {"not_detected", p.notDetected},
        {"out_of_scope", p.outOfScope},
        {"over_masking", ratioJson(p.overMasking)},
        {"unlabelled_matches", p.unlabelledMatches}}},
      {"speed",
       {{"mb_per_second", speed.megabytesPerSecond}, {"p99_us_per_4k", speed.p99MicrosPer4k}, {"bytes", speed.bytes}}},
  };
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseOptions(argc, argv);
  if (!options) return 2;
  const auto fail = [](const Error& e) {
    std::cerr << "warden-masking-eval: " << e.message << "\n";
    return 2;
  };
  // Nothing remembered: every text is scanned, so the speed figures are the engine's.
  masking::ScanLimits limits;
  limits.memoryBytesPerThread = 0;
  auto scanner = masking::SensitiveDataScanner::load(options->rulesDir, limits);
  if (!scanner) return fail(scanner.error());
  auto secretRows = readLabelledSpanRows(options->dataDir + "/secrets.dev.jsonl");
  if (!secretRows) return fail(secretRows.error());
  auto piiRows = readLabelledSpanRows(options->dataDir + "/pii.dev.jsonl");
  if (!piiRows) return fail(piiRows.error());

  const auto& engine = **scanner;
  auto secrets = evaluateSecrets(engine, *secretRows, options->showErrors);
  if (!secrets) return fail(secrets.error());
  auto pii = evaluatePii(engine, *piiRows, options->showErrors);
  if (!pii) return fail(pii.error());
  auto speed = measureSpeed(engine, {&*secretRows, &*piiRows});
  if (!speed) return fail(speed.error());

  if (options->json) {
    std::cout << toJson(*secrets, *pii, *speed, engine.ruleCount()).dump(2) << "\n";
  } else {
    printText(*secrets, *pii, *speed, engine.ruleCount());
  }

  for (const auto& text : secrets->missed) std::cerr << "missed secret: " << text << "\n";
  for (const auto& text : secrets->falselyFlagged) std::cerr << "flagged no_secret: " << text << "\n";
  for (const auto& text : pii->missed) std::cerr << "missed pii: " << text << "\n";

  int status = 0;
  const auto below = [&](const char* what, double value, std::optional<double> bound, bool isMax) {
    if (!bound || (isMax ? value <= *bound : value >= *bound)) return;
    std::cerr << "warden-masking-eval: " << what << " " << value << (isMax ? " is above " : " is below ")
              << "the guard's " << *bound << "\n";
    status = 1;
  };
  below("secret row recall", secrets->recall.rate(), options->minSecretRecall, false);
  below("secret false-positive rate", secrets->falsePositives.rate(), options->maxSecretFpRate, true);
  below("PII entity recall", pii->recall.rate(), options->minPiiRecall, false);
  return status;
}
