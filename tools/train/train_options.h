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
};

struct TrainOptions {
  ModelKind model = ModelKind::Injection;
  std::filesystem::path data;         // injection, jailbreak and benign rows
  std::filesystem::path harmfulData;  // harmful rows (harmful model only)
  std::filesystem::path out;          // model file to write
  std::filesystem::path evaluate;     // model file to measure instead of training
  uint64_t seed = 1;
  uint32_t hashBits = 20;
  FitSettings fit;
  std::vector<std::string> excludeSources;  // left out of fitting, scored as unseen
  size_t showErrors = 0;  // --evaluate: print this many worst rows per class
  bool help = false;
};

std::string trainUsage();

// Parses argv[1..]; an error names the flag and says what it expects.
Result<TrainOptions> parseTrainOptions(const std::vector<std::string>& args);

std::string_view modelKindName(ModelKind kind);

}  // namespace warden::tools
