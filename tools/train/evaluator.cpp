#include "train/evaluator.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "common/measure.h"
#include "layers/validation/normalizer.h"
#include "layers/validation/text_classifier.h"
#include "train/metrics.h"
#include "train/training_set.h"

namespace warden::tools {
namespace {

std::string oneLine(const std::string& text) {
  std::string out = text.substr(0, 150);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

void printErrors(std::vector<ScoredExample> scored, size_t count, std::ostream& out) {
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  out << "highest-scoring benign rows:\n";
  size_t shown = 0;
  for (auto it = scored.begin(); it != scored.end() && shown < count; ++it) {
    if (it->example->positive) continue;
    ++shown;
    out << "  " << it->score << " [" << it->example->source << "] " << oneLine(it->example->text) << "\n";
  }
  out << "lowest-scoring positive rows:\n";
  shown = 0;
  for (auto it = scored.rbegin(); it != scored.rend() && shown < count; ++it) {
    if (!it->example->positive) continue;
    ++shown;
    out << "  " << it->score << " [" << it->example->label << " " << it->example->source << "] "
        << oneLine(it->example->text) << "\n";
  }
}

}  // namespace

Status evaluate(const TrainOptions& options, std::ostream& out) {
  auto model = validation::TextClassifier::load(options.evaluate);
  if (!model) return model.error();
  const validation::ClassifierInfo& info = (*model)->info();
  const std::string expected = options.model == ModelKind::Injection ? "model.injection" : "model.harmful";
  if (info.id != expected) {
    return Error{options.evaluate.string() + " is " + info.id + ", not " + expected + "; check --model"};
  }
  auto examples = loadExamples(options, Part::HeldOut);
  if (!examples) return examples.error();

  std::vector<ScoredExample> scored;
  std::vector<double> microsPerKb;
  double scoreSeconds = 0;
  double normalizeSeconds = 0;
  size_t bytes = 0;
  for (const Example& example : *examples) {
    const double t0 = threadCpuSeconds();
    const validation::NormalizedText text = validation::normalize(example.text);
    const double t1 = threadCpuSeconds();
    const double score = (*model)->score(text);
    const double t2 = threadCpuSeconds();
    normalizeSeconds += t1 - t0;
    scoreSeconds += t2 - t1;
    bytes += example.text.size();
    scored.push_back({&example, score});
  }
  out << options.evaluate.string() << ": " << info.id << " (" << info.positiveLabel << "), 2^" << info.hashBits
      << " weights, seed " << info.seed << ", trained on " << info.trainingRows << " rows of " << info.trainedOn
      << "\n";
  out << "held-out part: " << scored.size() << " rows never used in training\n";
  printMetrics(out, measure(scored, info.threshold), info.threshold);
  if (info.threshold != 0.5) printMetrics(out, measure(scored, 0.5), 0.5);
  char line[256];
  std::snprintf(line, sizeof line, "time on one core: score() %.1f MB/s, normalize() %.1f MB/s over %zu bytes\n",
                static_cast<double>(bytes) / scoreSeconds / 1e6, static_cast<double>(bytes) / normalizeSeconds / 1e6,
                bytes);
  out << line;
  if (options.showErrors > 0) printErrors(scored, options.showErrors, out);
  return {};
}

}  // namespace warden::tools
