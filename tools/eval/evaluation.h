// One pass of the layer-1 engine over labelled rows: what it decided for
// each row, tallied per label and source, with the robustness variants and
// the timing of every call.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/labelled_data.h"
#include "core/result.h"
#include "eval/latency.h"
#include "eval/malformed_inputs.h"
#include "eval/metrics.h"
#include "eval/variants.h"
#include "layers/validation/prompt_inspector.h"

namespace warden::tools {

enum class RowClass { Attack, Benign, Harmful, Other };

RowClass classOf(std::string_view label);

// What a report means for each question the tool asks.
struct Decision {
  bool attack = false;         // a non-harmful finding asks for more than allow
  bool attackContent = false;  // the same from rules and the injection model alone (no struct.*)
  bool harmful = false;        // the harmful detector flagged or blocked
};

Decision decide(const validation::InspectionReport& report);

struct VariantScore {
  Variant variant = Variant::ZeroWidth;
  Rate attack;
  Rate attackContent;
  Rate harmful;
};

struct Mistake {
  std::string label;
  std::string source;
  size_t line = 0;
  std::string text;      // the start of the row's text
  std::string findings;  // detection ids and scores
};

struct Evaluation {
  size_t attacks = 0;
  size_t benign = 0;
  size_t harmful = 0;
  size_t other = 0;

  Confusion attack;  // attack rows vs benign rows
  Rate attackContent;
  std::map<std::string, Rate> benignFlaggedBySource;
  std::map<std::string, Rate> attackRecallBySource;
  std::map<std::string, Rate> attackRecallByLabel;

  Rate harmfulRecall;
  std::map<std::string, Rate> harmfulRecallBySource;
  Rate harmfulOnBenign;
  std::map<std::string, Rate> harmfulOnBenignBySource;
  Rate attackOnHarmful;  // harmful rows the injection side flags, for information

  std::vector<VariantScore> variants;
  LatencySamples rows;
  LatencySamples prompts4k;
  std::vector<MalformedResult> malformed;  // filled by the caller

  std::vector<Mistake> missedAttacks;
  std::vector<Mistake> flaggedBenign;
};

struct EvaluationSettings {
  bool variants = false;
  size_t showErrors = 0;
  size_t latencyRounds = 4;
};

// Fails only if the engine reports an internal error.
Result<Evaluation> evaluate(const validation::PromptInspector& inspector, const std::vector<LabelledRow>& rows,
                            const EvaluationSettings& settings);

}  // namespace warden::tools
