#include "train/trainer.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "layers/validation/normalizer.h"
#include "layers/validation/text_classifier.h"
#include "train/calibration.h"
#include "train/logistic_fit.h"
#include "train/metrics.h"
#include "train/training_set.h"

namespace warden::tools {
namespace {

using validation::ClassifierInfo;
using validation::FeatureHashes;
using validation::TextClassifier;

enum class Role { Fit, Calibration, Unseen };

struct Prepared {
  const Example* example = nullptr;
  Role role = Role::Fit;
  SparseRow sparse;        // Fit
  FeatureHashes features;  // Calibration, Unseen: scored by the real scorer
};

Role roleOf(const Example& example, const TrainOptions& options) {
  for (const std::string& source : options.excludeSources) {
    if (example.source == source) return Role::Unseen;
  }
  return inCalibrationSlice(example.text, options.seed) ? Role::Calibration : Role::Fit;
}

void printRows(const std::vector<Prepared>& rows, std::ostream& out) {
  std::map<std::string, std::array<size_t, 3>> counts;
  for (const Prepared& row : rows) {
    const Example& e = *row.example;
    ++counts[std::string(e.positive ? "+ " : "- ") + e.label + " " + e.source][static_cast<size_t>(row.role)];
  }
  char line[256];
  std::snprintf(line, sizeof line, "  %-55s %6s %6s %6s\n", "class label source", "fit", "calib", "unseen");
  out << line;
  for (const auto& [name, c] : counts) {
    std::snprintf(line, sizeof line, "  %-55s %6zu %6zu %6zu\n", name.c_str(), c[0], c[1], c[2]);
    out << line;
  }
}

// Each class weighs the same in the loss; inside a class a source of n rows
// weighs n^(1 - sourceBalance) in all.
std::vector<FitRow> weightedRows(const std::vector<Prepared>& rows, double sourceBalance) {
  std::map<std::pair<bool, std::string>, size_t> perSource;
  size_t fitRows = 0;
  for (const Prepared& row : rows) {
    if (row.role != Role::Fit) continue;
    ++perSource[{row.example->positive, row.example->source}];
    ++fitRows;
  }
  std::array<double, 2> classTotal{0, 0};
  for (const auto& [key, n] : perSource) {
    classTotal[key.first] += static_cast<double>(n) * std::pow(static_cast<double>(n), -sourceBalance);
  }
  std::vector<FitRow> out;
  for (const Prepared& row : rows) {
    if (row.role != Role::Fit) continue;
    const bool positive = row.example->positive;
    const double n = static_cast<double>(perSource[{positive, row.example->source}]);
    // Mean weight 1 over all fitting rows, half of the total per class.
    const double weight = std::pow(n, -sourceBalance) / classTotal[positive] * static_cast<double>(fitRows) / 2;
    out.push_back(FitRow{&row.sparse, positive, weight});
  }
  return out;
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

  std::vector<Prepared> rows(examples->size());
  FeatureHashes features;
  for (size_t i = 0; i < rows.size(); ++i) {
    Prepared& row = rows[i];
    row.example = &(*examples)[i];
    row.role = roleOf(*row.example, options);
    TextClassifier::hashFeatures(validation::normalize(row.example->text), options.hashBits, features);
    if (row.role == Role::Fit) {
      row.sparse = toSparseRow(features);
    } else {
      row.features = features;
    }
  }
  out << "warden-train: " << modelKindName(options.model) << " model, seed " << options.seed << ", 2^"
      << options.hashBits << " weights, " << options.fit.epochs << " epochs, alpha " << options.fit.alpha << ", l2 "
      << options.fit.l2 << ", l1 " << options.fit.l1 << ", source balance " << options.fit.sourceBalance << "\n";
  out << "training part of " << *trainedOn << "\n";
  printRows(rows, out);

  const std::vector<FitRow> fitRows = weightedRows(rows, options.fit.sourceBalance);
  if (fitRows.empty()) return Error{"no rows to fit: the data has no training rows for this model"};
  FittedModel fitted = fitLogistic(fitRows, options.hashBits, options.fit, options.seed);
  size_t nonZero = 0;
  for (const float w : fitted.weights) nonZero += w != 0;
  out << "fitted on " << fitRows.size() << " rows: " << nonZero << " non-zero weights, bias " << fitted.bias << "\n";

  ClassifierInfo info;
  info.id = options.model == ModelKind::Injection ? "model.injection" : "model.harmful";
  info.positiveLabel = options.model == ModelKind::Injection ? "attack" : "harmful";
  info.trainedOn = *trainedOn;
  info.seed = options.seed;
  info.hashBits = options.hashBits;
  const TextClassifier raw(info, fitted.weights, fitted.bias, 1, 0);

  std::vector<double> margins;
  std::vector<bool> positive;
  for (const Prepared& row : rows) {
    if (row.role != Role::Calibration) continue;
    margins.push_back(raw.margin(row.features));
    positive.push_back(row.example->positive);
  }
  if (margins.empty()) return Error{"the calibration slice is empty; use more data"};
  const PlattScaling platt = fitPlatt(margins, positive);
  out << "Platt scaling on " << margins.size() << " calibration rows: p = 1 / (1 + exp(-(" << platt.scale
      << " * margin + " << platt.shift << "))), " << platt.iterations << " Newton steps\n";

  auto calibrated = [&](const FeatureHashes& f) {
    return 1.0 / (1.0 + std::exp(-(platt.scale * raw.margin(f) + platt.shift)));
  };
  std::vector<ScoredExample> slice;
  std::vector<ScoredExample> unseen;
  for (const Prepared& row : rows) {
    if (row.role == Role::Calibration) slice.push_back({row.example, calibrated(row.features)});
    if (row.role == Role::Unseen) unseen.push_back({row.example, calibrated(row.features)});
  }
  info.threshold = chooseThreshold(slice, kMaxSourceFpr);
  info.trainingRows = fitRows.size() + slice.size();
  out << "threshold " << info.threshold << ": the lowest with every benign source's false-positive rate <= "
      << 100 * kMaxSourceFpr << "% on the calibration slice\n";
  out << "calibration slice:\n";
  printMetrics(out, measure(slice, info.threshold), info.threshold);
  if (!unseen.empty()) {
    out << "excluded sources (never fitted or calibrated on):\n";
    printMetrics(out, measure(unseen, info.threshold), info.threshold);
  }

  const TextClassifier model(info, std::move(fitted.weights), fitted.bias, static_cast<float>(platt.scale),
                             static_cast<float>(platt.shift));
  const std::string bytes = model.toBytes();
  // Read back what was written, so a model that would not load is never left behind.
  if (auto check = TextClassifier::fromBytes(bytes, options.out.string()); !check) return check.error();
  if (Status s = writeFile(options.out, bytes); !s) return s;
  out << "wrote " << options.out.string() << " (" << bytes.size() << " bytes)\n";
  return {};
}

}  // namespace warden::tools
