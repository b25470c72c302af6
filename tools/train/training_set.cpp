#include "train/training_set.h"

namespace warden::tools {
namespace {

uint64_t fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

Status appendRows(const std::filesystem::path& file, Part part, ModelKind model, bool harmfulFile,
                  std::vector<Example>& out) {
  auto rows = readLabelledRows(file, part);
  if (!rows) return rows.error();
  for (LabelledRow& row : *rows) {
    Example example{std::move(row.text), std::move(row.label), std::move(row.source), false};
    const std::string& label = example.label;
    const std::string where = file.string() + ":" + std::to_string(row.line);
    if (harmfulFile) {
      if (label != "harmful") return Error{where + ": label \"" + label + "\" in the harmful data; expected harmful"};
      example.positive = true;
    } else if (label == "benign") {
      example.positive = false;
    } else if (label == "injection" || label == "jailbreak") {
      if (model == ModelKind::Harmful) continue;  // attacks on the model, not harmful requests
      example.positive = true;
    } else {
      return Error{where + ": label \"" + label + "\" is not one of injection, jailbreak, benign"};
    }
    out.push_back(std::move(example));
  }
  return {};
}

}  // namespace

Result<std::vector<Example>> loadExamples(const TrainOptions& options, Part part) {
  std::vector<Example> examples;
  if (Status s = appendRows(options.data, part, options.model, false, examples); !s) return s.error();
  if (options.model == ModelKind::Harmful) {
    if (Status s = appendRows(options.harmfulData, part, options.model, true, examples); !s) return s.error();
  }
  return examples;
}

Result<std::string> describeTrainingData(const TrainOptions& options) {
  std::string out;
  std::vector<std::filesystem::path> files{options.data};
  if (options.model == ModelKind::Harmful) files.push_back(options.harmfulData);
  for (const auto& file : files) {
    auto sha = fileSha256(file);
    if (!sha) return sha.error();
    if (!out.empty()) out += ", ";
    out += file.filename().string() + " sha256:" + *sha;
  }
  return out;
}

size_t foldOf(std::string_view text, uint64_t seed, size_t folds) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<size_t>(fmix64(hash ^ fmix64(seed + 0x9E3779B97F4A7C15ULL)) % folds);
}

}  // namespace warden::tools
