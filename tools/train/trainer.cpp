#include "train/trainer.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "layers/validation/normalizer.h"
#include "layers/validation/text_classifier.h"
#include "train/calibration.h"
#include "train/cross_fit.h"
#include "train/logistic_fit.h"
#include "train/metrics.h"
#include "train/spaced_letters.h"
#include "train/training_set.h"

namespace warden::tools {
namespace {

using validation::ClassifierInfo;
using validation::FeatureHashes;
using validation::TextClassifier;

bool excluded(const Example& example, const TrainOptions& options) {
  for (const std::string& source : options.excludeSources) {
    if (example.source == source) return true;
  }
  return false;
}

void printRows(const std::vector<TrainingRow>& rows, size_t unseenRows, std::ostream& out) {
  std::map<std::string, std::array<size_t, 2>> counts;
  for (const TrainingRow& row : rows) {
    if (row.copy && row.weight <= 0) continue;  // not fitted on
    const Example& e = *row.example;
    ++counts[std::string(e.positive ? "+ " : "- ") + e.label + " " + e.source][row.copy ? 1 : 0];
  }
  char line[256];
  std::snprintf(line, sizeof line, "  %-55s %6s %6s\n", "class label source", "rows", "copies");
  out << line;
  for (const auto& [name, c] : counts) {
    std::snprintf(line, sizeof line, "  %-55s %6zu %6zu\n", name.c_str(), c[0], c[1]);
    out << line;
  }
  if (unseenRows > 0) out << "  " << unseenRows << " rows of excluded sources: never fitted or calibrated on\n";
}

Status writeFile(const std::filesystem::path& path, const std::string& bytes) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) return errnoError("create " + temporary.string());
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) return errnoError("write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return Error{"rename " + temporary.string() + " to " + path.string() + ": " + ec.message()};
  return {};
}

}  // namespace

Status train(const TrainOptions& options, std::ostream& out) {
  auto examples = loadExamples(options, Part::Train);
  if (!examples) return examples.error();
  auto trainedOn = describeTrainingData(options);
  if (!trainedOn) return trainedOn.error();

  std::vector<TrainingRow> rows;
  std::vector<FeatureHashes> unseen;
  std::vector<const Example*> unseenExamples;
  FeatureHashes features;
  for (const Example& example : *examples) {
    TextClassifier::hashFeatures(validation::normalize(example.text), options.hashBits, features);
    if (excluded(example, options)) {
      unseen.push_back(features);
      unseenExamples.push_back(&example);
      continue;
    }
    TrainingRow row{&example, foldOf(example.text, options.seed, options.folds), false, 1, toSparseRow(features),
                    features};
    rows.push_back(std::move(row));
    // Made even when not fitted on (weight 0), to measure split-letter recall.
    TextClassifier::hashFeatures(validation::normalize(spacedLetters(example.text, options.seed)), options.hashBits,
                                 features);
    rows.push_back(TrainingRow{&example, rows.back().fold, true, 1, toSparseRow(features), features});
  }
  if (rows.empty()) return Error{"no rows to fit: the data has no training rows for this model"};
  weighRows(rows, options.fit);
  out << "warden-train: " << modelKindName(options.model) << " model, seed " << options.seed << ", 2^"
      << options.hashBits << " weights, " << options.fit.epochs << " epochs, alpha " << options.fit.alpha << ", l2 "
      << options.fit.l2 << ", l1 " << options.fit.l1 << ", source balance " << options.fit.sourceBalance
      << ", positive share " << options.fit.positiveShare << ", spaced copies " << options.fit.spacedCopies << ", "
      << options.folds << " folds, target FPR " << 100 * options.targetFpr << "%\n";
  out << "training part of " << *trainedOn << "\n";
  printRows(rows, unseen.size(), out);

  // Calibration and threshold on out-of-fold margins: every training row
  // counts, so a 1% rate per source rests on several rows, not on none.
  CrossFit cross = crossFit(rows, options);
  const std::vector<double>& allMargins = cross.margins;
  std::vector<double> margins;
  std::vector<bool> positive;
  std::vector<size_t> fold;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].copy) continue;
    margins.push_back(allMargins[i]);
    positive.push_back(rows[i].example->positive);
    fold.push_back(rows[i].fold);
  }
  const PlattScaling platt = fitPlatt(margins, positive);
  out << "Platt scaling on " << margins.size() << " out-of-fold margins: p = 1 / (1 + exp(-(" << platt.scale
      << " * margin + " << platt.shift << "))), " << platt.iterations << " Newton steps\n";
  auto calibrated = [&](double margin) { return 1.0 / (1.0 + std::exp(-(platt.scale * margin + platt.shift))); };
  std::vector<ScoredExample> outOfFold;
  std::vector<ScoredExample> spacedOutOfFold;
  for (size_t i = 0; i < rows.size(); ++i) {
    (rows[i].copy ? spacedOutOfFold : outOfFold).push_back({rows[i].example, calibrated(allMargins[i])});
  }

  ClassifierInfo info;
  info.id = options.model == ModelKind::Injection ? "model.injection" : "model.harmful";
  info.positiveLabel = options.model == ModelKind::Injection ? "attack" : "harmful";
  info.trainedOn = *trainedOn;
  info.seed = options.seed;
  info.hashBits = options.hashBits;
  info.threshold = chooseThreshold(outOfFold, options.targetFpr);
  info.trainingRows = margins.size();
  out << "threshold " << info.threshold
      << ": the lowest with every benign source's out-of-fold false-positive rate <= " << 100 * options.targetFpr
      << "%\n";
  out << "out-of-fold scores (" << options.folds << " folds) at that threshold:\n";
  printMetrics(out, measure(outOfFold, info.threshold), info.threshold);
  out << "threshold chosen on the other folds, applied to each fold (what to expect on new text; budget "
      << 100 * kMaxSourceFpr << "% per source):\n";
  printMetrics(out, crossCheckThreshold(outOfFold, fold, options.folds, options.targetFpr),
               std::string_view("each fold's threshold"));

  const Metrics spaced = measure(spacedOutOfFold, info.threshold);
  char line[160];
  std::snprintf(line, sizeof line, "the same rows spelled out letter by letter, out of fold: recall %.4f, FPR %.4f\n",
                spaced.recall, spaced.falsePositiveRate);
  out << line;

  FittedModel fitted = options.averageFolds ? std::move(cross.average) : fitRows(rows, kAllFolds, options);
  size_t nonZero = 0;
  for (const float w : fitted.weights) nonZero += w != 0;
  out << (options.averageFolds ? "model: the mean of the " + std::to_string(options.folds) + " folds' models"
                               : "model: fitted on all " + std::to_string(margins.size()) + " rows")
      << (options.fit.spacedCopies > 0 ? " (spaced copies included)" : "") << ", " << nonZero
      << " non-zero weights, bias " << fitted.bias << "\n";
  const TextClassifier model(info, std::move(fitted.weights), fitted.bias, static_cast<float>(platt.scale),
                             static_cast<float>(platt.shift));
  if (!unseen.empty()) {
    std::vector<ScoredExample> scored;
    for (size_t i = 0; i < unseen.size(); ++i) scored.push_back({unseenExamples[i], model.score(unseen[i])});
    out << "excluded sources (never fitted or calibrated on), final model:\n";
    printMetrics(out, measure(scored, info.threshold), info.threshold);
  }

  const std::string bytes = model.toBytes();
  // Read back what was written, so a model that would not load is never left behind.
  if (auto check = TextClassifier::fromBytes(bytes, options.out.string()); !check) return check.error();
  if (Status s = writeFile(options.out, bytes); !s) return s;
  out << "wrote " << options.out.string() << " (" << bytes.size() << " bytes)\n";
  return {};
}

}  // namespace warden::tools
