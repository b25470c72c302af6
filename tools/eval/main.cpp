// warden-eval: how well layer 1 separates attacks from benign prompts on
// labelled data, and what it costs. See evalUsage() (--help).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/labelled_data.h"
#include "core/heap_tuning.h"
#include "eval/eval_options.h"
#include "eval/evaluation.h"
#include "eval/malformed_inputs.h"
#include "eval/report.h"
#include "layers/validation/prompt_inspector.h"
#include "layers/validation/rule_set.h"
#include "layers/validation/text_classifier.h"

namespace {

using namespace warden;
using namespace warden::tools;
using validation::TextClassifier;

constexpr int kExitBelowGuard = 1;
constexpr int kExitUsage = 2;

int fail(const std::string& message) {
  std::fprintf(stderr, "warden-eval: %s\n", message.c_str());
  return kExitUsage;
}

struct LoadedModel {
  std::shared_ptr<const TextClassifier> model;
  std::string description;
};

// A default model that is not there is noted; one named on the command line
// must load.
Result<LoadedModel> loadModel(const std::string& path, bool given) {
  if (path.empty()) return LoadedModel{nullptr, "none"};
  if (!given && !std::filesystem::exists(path)) return LoadedModel{nullptr, "none (" + path + " not found)"};
  auto model = TextClassifier::load(path);
  if (!model) return model.error();
  const auto& info = (*model)->info();
  return LoadedModel{*model, path + " (" + info.id + ", " + std::to_string(info.trainingRows) + " training rows, " +
                                 info.trainedOn + ")"};
}

Status appendBenignRows(const std::string& file, Part part, std::vector<LabelledRow>& rows) {
  auto extra = readLabelledRows(file, part);
  if (!extra) return extra.error();
  for (LabelledRow& row : *extra) {
    if (classOf(row.label) == RowClass::Benign) rows.push_back(std::move(row));
  }
  return {};
}

int run(const EvalOptions& o) {
  auto rules = validation::RuleSet::loadDirectory(o.rulesDir);
  if (!rules) return fail(rules.error().message);
  auto injection = loadModel(o.injectionModel, o.injectionModelGiven);
  if (!injection) return fail(injection.error().message);
  auto harmful = loadModel(o.harmfulModel, o.harmfulModelGiven);
  if (!harmful) return fail(harmful.error().message);

  auto rows = readLabelledRows(o.data, o.part);
  if (!rows) {
    return fail(rows.error().message +
                " (give the labelled JSONL with --data; the validation_eval_guard test takes its folder from the "
                "CMake cache variable WARDEN_DATA_DIR)");
  }
  for (const std::string& file : o.benignData) {
    if (auto status = appendBenignRows(file, o.part, *rows); !status) return fail(status.error().message);
  }

  // Every row inspected afresh: the figures are the engine's, not those of
  // wardend's memory of texts seen before (rows repeat in the data).
  const validation::InspectorPolicy policy = [] {
    validation::InspectorPolicy p;
    p.cacheBytesPerThread = 0;
    return p;
  }();
  const validation::PromptInspector inspector(*rules, injection->model, harmful->model, policy);
  validation::InspectorPolicy unlimited = policy;
  unlimited.maxTextBytes = 0;
  unlimited.maxTotalBytes = 0;
  const validation::PromptInspector noSizeLimits(*rules, injection->model, harmful->model, unlimited);

  auto evaluation = evaluate(inspector, *rows, EvaluationSettings{o.variants, o.showErrors, o.latencyRounds});
  if (!evaluation) return fail(evaluation.error().message);
  auto malformed = runMalformedInputs(inspector, noSizeLimits);
  if (!malformed) return fail(malformed.error().message);
  evaluation->malformed = std::move(*malformed);

  const RunDescription description{o.data,
                                   o.benignData,
                                   std::string(partName(o.part)),
                                   o.rulesDir + " (" + std::to_string((*rules)->rules().size()) + " rules)",
                                   injection->description,
                                   harmful->description,
                                   rows->size()};
  const std::string out = o.json ? jsonReport(description, *evaluation) : textReport(description, *evaluation);
  std::fwrite(out.data(), 1, out.size(), stdout);

  if (o.minBalancedAccuracy) {
    const double ba = evaluation->attack.balancedAccuracy();
    if (std::isnan(ba)) {
      std::fprintf(stderr, "warden-eval: no balanced accuracy: %s has no attack or no benign rows in part %s\n",
                   o.data.c_str(), std::string(partName(o.part)).c_str());
      return kExitBelowGuard;
    }
    if (ba < *o.minBalancedAccuracy) {
      std::fprintf(stderr, "warden-eval: balanced accuracy %.4f is below the required %.4f\n", ba,
                   *o.minBalancedAccuracy);
      return kExitBelowGuard;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // As wardend does, so the latency figures are wardend's.
  warden::keepFreedHeapMemory();
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = parseEvalOptions(args, WARDEN_SOURCE_DIR);
  if (!options) return fail(options.error().message);
  if (options->help) {
    std::fputs(evalUsage().c_str(), stdout);
    return 0;
  }
  return run(*options);
}
