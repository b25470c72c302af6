// A learned detector: a linear model over hashed character n-grams of the
// normalised text (normalizer.h), trained offline by tools/train and
// loaded from a committed model file at start. Linear on purpose: scoring a
// 4 KB prompt is one pass over its n-grams and a sum of table lookups
// (microseconds), where transformer guards take tens of milliseconds.
//
// A model file that is missing, truncated, altered or of another version is
// an error at load time: the agent refuses to start rather than run blind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "layers/validation/normalizer.h"

namespace warden::validation {

// What a model file says about itself (written by the trainer).
struct ClassifierInfo {
  std::string id;             // detection id, e.g. "model.injection"
  std::string positiveLabel;  // what a high score means, e.g. "attack"
  std::string trainedOn;      // data file name and its SHA-256
  uint64_t trainingRows = 0;
  uint64_t seed = 0;
  uint32_t hashBits = 0;      // the weight table has 2^hashBits entries
  // Score at or above which a text is reported; chosen at training time
  // (see tools/train) and overridable by policy.
  double threshold = 0.5;
};

// The n-grams a model is built from. Shared by training and scoring so both
// see exactly the same features. The text is cut into blocks of 1024 n-gram
// positions; a text is scored on two consecutive blocks at a time (margin()),
// so its length alone does not move its score.
struct FeatureHashes {
  // Into the weight table, each once per block; in a block, those the block
  // before it has come first.
  std::vector<uint32_t> indices;
  // Where each block's indices end; empty when the text has no n-gram.
  std::vector<uint32_t> blockEnds;
  // How many of each block's indices, at its start, the block before it has.
  std::vector<uint32_t> blockShared;
};

class TextClassifier {
 public:
  static Result<std::shared_ptr<const TextClassifier>> load(const std::filesystem::path& file);
  // `origin` names the bytes in error messages (a path, "<test>").
  static Result<std::shared_ptr<const TextClassifier>> fromBytes(std::string_view bytes, std::string_view origin);

  // Calibrated probability in [0, 1] that the text is of the positive class.
  // Bounded work whatever the input (the normaliser's limits apply first).
  double score(const NormalizedText& text) const;
  // score() of a text whose features were hashed already with this model's
  // hashBits (hashFeatures): models of one table size share one hashing.
  double score(const FeatureHashes& features) const;
  // The uncalibrated margin score() calibrates, for features hashed with this
  // model's hashBits; the trainer fits the calibration on it.
  double margin(const FeatureHashes& features) const;
  // The calibrated probability of a margin.
  double probabilityOf(double margin) const;

  // The model file load() reads (format at the top of text_classifier.cpp);
  // the trainer writes it, so reader and writer live in one place.
  std::string toBytes() const;

  const ClassifierInfo& info() const { return info_; }
  // 2^hashBits weights, index order, and the bias: for models scored together (JointScorer).
  const std::vector<float>& weights() const { return weights_; }
  float bias() const { return bias_; }

  // Feature extraction used by score() and by the trainer.
  static void hashFeatures(const NormalizedText& text, uint32_t hashBits, FeatureHashes& out);

  TextClassifier(ClassifierInfo info, std::vector<float> weights, float bias, float calibrationScale,
                 float calibrationShift);

 private:
  ClassifierInfo info_;
  std::vector<float> weights_;
  float bias_ = 0;
  // Platt scaling of the raw margin: p = 1 / (1 + exp(-(scale * margin + shift))).
  float calibrationScale_ = 1;
  float calibrationShift_ = 0;
};

}  // namespace warden::validation
