#include "train/train_options.h"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace warden::tools {
namespace {

template <class T>
Result<T> parseInteger(const std::string& flag, const std::string& text, T min, T max) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Error{flag + " " + text + ": expected an integer in " + std::to_string(min) + ".." + std::to_string(max)};
  }
  return value;
}

Result<double> parsePositive(const std::string& flag, const std::string& text, bool zeroAllowed) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0 || (zeroAllowed && value == 0)) || value > 1e6) {
    return Error{flag + " " + text + ": expected a " + (zeroAllowed ? "non-negative" : "positive") + " number"};
  }
  return value;
}

}  // namespace

std::string_view modelKindName(ModelKind kind) { return kind == ModelKind::Injection ? "injection" : "harmful"; }

std::string trainUsage() {
  return R"(usage: warden-train --model injection|harmful --data FILE [--harmful-data FILE] --out FILE [options]
       warden-train --model injection|harmful --data FILE [--harmful-data FILE] --evaluate MODEL

Fits a learned classifier on the training part of labelled JSONL data (rows
whose text hash does not put them in the held-out part) and writes the model
file wardend loads. Every training row is first scored by a model fitted on
the other folds; the calibration and the threshold are chosen on those
out-of-fold scores, then the model is fitted on all rows. The same seed and
data give a byte-identical file.

  --model injection    injection and jailbreak rows are positive, benign negative
  --model harmful      rows of --harmful-data are positive, the benign rows of
                       --data negative (its injection/jailbreak rows are unused)
  --data FILE          labelled prompts {"text","label","source",...} per line
  --harmful-data FILE  harmful requests (required for --model harmful)
  --out FILE           model file to write
  --evaluate MODEL     do not train: score the held-out part with MODEL and print
                       balanced accuracy, false-positive rate per benign source
                       and recall per attack source at the model's threshold

Options (defaults in brackets):
  --seed N             shuffling, the folds and the spaced copies [1]
  --hash-bits N        weight table of 2^N float32 entries, 10..24 [18]
  --epochs N           passes over the fitting rows [16]
  --alpha X            FTRL learning rate [2]
  --l2 X               L2 regularisation [1]
  --l1 X               L1 regularisation [0]
  --source-balance X   weigh a row by (rows of its source)^-X, 0..1 [0.5]
  --positive-share X   the positive class's share of the loss, 0.05..0.95 [0.5]
  --spaced-copies X    also fit each row with its words spelled out letter by
                       letter ("i g n o r e"), weighing X of the original;
                       0 for none. The copies are scored out of fold either
                       way; their features are the original's [0]
  --folds N            cross-fitting folds, 2..20 [5]
  --target-fpr X       threshold: the lowest at which every benign source's
                       out-of-fold false-positive rate is at most X [0.007]
  --final average|all  the model written: the mean of the folds' models, or
                       one fitted on all rows [all]
  --exclude-source S   leave rows of source S out of fitting and calibration and
                       report them as a source never seen (repeatable)
  --show-errors N      with --evaluate: print the N highest-scoring benign and
                       N lowest-scoring positive rows [0]
  --help               this text
)";
}

Result<TrainOptions> parseTrainOptions(const std::vector<std::string>& args) {
  TrainOptions options;
  bool haveModel = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      return options;
    }
    if (i + 1 >= args.size()) return Error{flag + ": unknown flag or missing value; see warden-train --help"};
    const std::string& value = args[++i];
    if (flag == "--model") {
      if (value == "injection") {
        options.model = ModelKind::Injection;
      } else if (value == "harmful") {
        options.model = ModelKind::Harmful;
      } else {
        return Error{"--model " + value + ": expected injection or harmful"};
      }
      haveModel = true;
    } else if (flag == "--data") {
      options.data = value;
    } else if (flag == "--harmful-data") {
      options.harmfulData = value;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--evaluate") {
      options.evaluate = value;
    } else if (flag == "--seed") {
      auto v = parseInteger<uint64_t>(flag, value, 0, UINT64_MAX);
      if (!v) return v.error();
      options.seed = *v;
    } else if (flag == "--hash-bits") {
      auto v = parseInteger<uint32_t>(flag, value, 10, 24);
      if (!v) return v.error();
      options.hashBits = *v;
    } else if (flag == "--epochs") {
      auto v = parseInteger<uint32_t>(flag, value, 1, 1000);
      if (!v) return v.error();
      options.fit.epochs = *v;
    } else if (flag == "--alpha" || flag == "--l2" || flag == "--l1") {
      auto v = parsePositive(flag, value, flag != "--alpha");
      if (!v) return v.error();
      (flag == "--alpha" ? options.fit.alpha : flag == "--l2" ? options.fit.l2 : options.fit.l1) = *v;
    } else if (flag == "--source-balance") {
      auto v = parsePositive(flag, value, true);
      if (!v || *v > 1) return Error{flag + " " + value + ": expected a number in 0..1"};
      options.fit.sourceBalance = *v;
    } else if (flag == "--positive-share") {
      auto v = parsePositive(flag, value, false);
      if (!v || *v < 0.05 || *v > 0.95) return Error{flag + " " + value + ": expected a number in 0.05..0.95"};
      options.fit.positiveShare = *v;
    } else if (flag == "--spaced-copies") {
      auto v = parsePositive(flag, value, true);
      if (!v || *v > 10) return Error{flag + " " + value + ": expected a number in 0..10"};
      options.fit.spacedCopies = *v;
    } else if (flag == "--folds") {
      auto v = parseInteger<size_t>(flag, value, 2, 20);
      if (!v) return v.error();
      options.folds = *v;
    } else if (flag == "--target-fpr") {
      auto v = parsePositive(flag, value, true);
      if (!v || *v >= 1) return Error{flag + " " + value + ": expected a rate in 0..1, such as 0.007"};
      options.targetFpr = *v;
    } else if (flag == "--final") {
      if (value != "average" && value != "all") return Error{"--final " + value + ": expected average or all"};
      options.averageFolds = value == "average";
    } else if (flag == "--show-errors") {
      auto v = parseInteger<size_t>(flag, value, 0, 10000);
      if (!v) return v.error();
      options.showErrors = *v;
    } else if (flag == "--exclude-source") {
      options.excludeSources.push_back(value);
    } else {
      return Error{flag + ": unknown flag; see warden-train --help"};
    }
  }
  if (!haveModel) return Error{"--model is required (injection or harmful); see warden-train --help"};
  if (options.data.empty()) return Error{"--data FILE is required; see warden-train --help"};
  if (options.model == ModelKind::Harmful && options.harmfulData.empty()) {
    return Error{"--model harmful needs --harmful-data FILE (its positive rows)"};
  }
  if (options.out.empty() == options.evaluate.empty()) {
    return Error{"give exactly one of --out FILE (train) and --evaluate MODEL (measure)"};
  }
  return options;
}

}  // namespace warden::tools
