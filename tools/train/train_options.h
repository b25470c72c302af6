// The command line of warden-train.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace warden::tools {

enum class ModelKind { Injection, Harmful };

struct FitSettings {
  uint32_t epochs = 16;
  // FTRL-proximal: per-coordinate learning rate alpha / (beta + sqrt(sum g^2)).
  double alpha = 2.0;
  double beta = 1.0;
  double l1 = 0.0;
  double l2 = 1.0;
  // Rows of a class are weighted by (rows of their source)^-sourceBalance:
  // 0 weighs every row alike, 1 every source alike. In between keeps a big
  // source from defining the class while its rows still count.
  double sourceBalance = 0.5;
  // The positive class's share of the loss (the negative class has the rest).
  double positiveShare = 0.5;
  // Each row also has a copy with its words spelled out letter by letter
  // ("i g n o r e"), always scored out of fold (the split-letter check) and
  // fitted on with this share of the original's weight. Off by default: under
  // feature scheme 3 a copy has its original's features, so fitting on it
  // only reweighs the row (scheme 2 needed 0.25).
  double spacedCopies = 0;
};

struct TrainOptions {
  ModelKind model = ModelKind::Injection;
  std::filesystem::path data;         // injection, jailbreak and benign rows
  std::filesystem::path harmfulData;  // harmful rows (harmful model only)
  std::filesystem::path out;          // model file to write
  std::filesystem::path evaluate;     // model file to measure instead of training
  uint64_t seed = 1;
  uint32_t hashBits = 18;
  FitSettings fit;
  // Cross-fitting: each training row is scored by the model fitted on the
  // other folds; calibration and threshold use those scores.
  size_t folds = 5;
  // The threshold is the lowest at which every benign source's out-of-fold
  // false-positive rate is at most this: a margin under the 1% budget
  // (kMaxSourceFpr) for the rates of unseen data.
  double targetFpr = 0.007;
  // Ship the mean of the folds' models instead of a model fitted on all rows
  // (leaving sources out showed no gain from it: kept as an option).
  bool averageFolds = false;
  std::vector<std::string> excludeSources;  // left out of fitting, scored as unseen
  size_t showErrors = 0;                    // --evaluate: print this many worst rows per class
  bool help = false;
};

std::string trainUsage();

// Parses argv[1..]; an error names the flag and says what it expects.
Result<TrainOptions> parseTrainOptions(const std::vector<std::string>& args);

std::string_view modelKindName(ModelKind kind);

}  // namespace warden::tools
