#include "eval/evaluation.h"

#include <cstdio>

namespace warden::tools {
namespace {

using validation::Detection;
using validation::InspectionReport;
using validation::Verdict;

constexpr size_t kMistakeTextBytes = 160;
constexpr size_t kLatencyPrompts = 256;

bool isStructural(const Detection& d) { return d.id.rfind("struct.", 0) == 0; }

// Printable one-line excerpt; bytes of a character cut at the end are
// dropped so the terminal (and JSON) get valid UTF-8.
std::string excerpt(const std::string& text) {
  std::string out;
  for (const char c : text.substr(0, kMistakeTextBytes)) out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  size_t end = out.size();
  size_t lead = end;
  while (lead > 0 && (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80) --lead;
  if (lead > 0) {
    const auto c = static_cast<unsigned char>(out[lead - 1]);
    const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (end - (lead - 1) < need) end = lead - 1;
  }
  out.resize(end);
  return out;
}

std::string findingsOf(const InspectionReport& report) {
  std::string out;
  for (const Detection& d : report.detections) {
    char score[16];
    std::snprintf(score, sizeof score, "%.2f", d.score);
    if (!out.empty()) out += ", ";
    out += d.id + "=" + score + "(" + std::string(validation::verdictName(d.verdict)) + ")";
  }
  return out.empty() ? "none" : out;
}

Mistake mistakeOf(const LabelledRow& row, const InspectionReport& report) {
  return Mistake{row.label, row.source, row.line, excerpt(row.text), findingsOf(report)};
}

class Evaluator {
 public:
  Evaluator(const validation::PromptInspector& inspector, const EvaluationSettings& settings)
      : inspector_(inspector), settings_(settings) {}

  Result<Evaluation> run(const std::vector<LabelledRow>& rows) {
    for (const LabelledRow& row : rows) {
      if (auto status = clean(row); !status) return status.error();
    }
    if (settings_.variants) {
      for (const Variant v : kAllVariants) {
        if (auto status = variant(v, rows); !status) return status.error();
      }
    }
    auto prompts = measurePrompts(inspector_, rows, kLatencyPrompts, settings_.latencyRounds);
    if (!prompts) return prompts.error();
    out_.prompts4k = std::move(*prompts);
    return std::move(out_);
  }

 private:
  Status clean(const LabelledRow& row) {
    const RowClass kind = classOf(row.label);
    TimedInspection timed = timedInspect(inspector_, row.text);
    if (!timed.report) return timed.report.error().wrap(row.source + " row at line " + std::to_string(row.line));
    out_.rows.add(timed.cpuSeconds, timed.wallSeconds, row.text.size());
    const Decision d = decide(*timed.report);
    switch (kind) {
      case RowClass::Attack:
        ++out_.attacks;
        out_.attack.add(true, d.attack);
        out_.attackContent.add(d.attackContent);
        out_.attackRecallBySource[row.source].add(d.attack);
        out_.attackRecallByLabel[row.label].add(d.attack);
        if (!d.attack && out_.missedAttacks.size() < settings_.showErrors) {
          out_.missedAttacks.push_back(mistakeOf(row, *timed.report));
        }
        break;
      case RowClass::Benign:
        ++out_.benign;
        out_.attack.add(false, d.attack);
        out_.benignFlaggedBySource[row.source].add(d.attack);
        out_.harmfulOnBenign.add(d.harmful);
        out_.harmfulOnBenignBySource[row.source].add(d.harmful);
        if (d.attack && out_.flaggedBenign.size() < settings_.showErrors) {
          out_.flaggedBenign.push_back(mistakeOf(row, *timed.report));
        }
        break;
      case RowClass::Harmful:
        ++out_.harmful;
        out_.harmfulRecall.add(d.harmful);
        out_.harmfulRecallBySource[row.source].add(d.harmful);
        out_.attackOnHarmful.add(d.attack);
        break;
      case RowClass::Other:
        ++out_.other;
        break;
    }
    return {};
  }

  Status variant(Variant v, const std::vector<LabelledRow>& rows) {
    VariantScore score;
    score.variant = v;
    for (const LabelledRow& row : rows) {
      const RowClass kind = classOf(row.label);
      if (kind != RowClass::Attack && kind != RowClass::Harmful) continue;
      const std::string text = makeVariant(v, row.text);
      const validation::InspectedText one{validation::MessagePart::User, text};
      auto report = inspector_.inspect(std::span(&one, 1));
      if (!report)
        return report.error().wrap(std::string(variantName(v)) + " variant of line " + std::to_string(row.line));
      const Decision d = decide(*report);
      if (kind == RowClass::Attack) {
        score.attack.add(d.attack);
        score.attackContent.add(d.attackContent);
      } else {
        score.harmful.add(d.harmful);
      }
    }
    out_.variants.push_back(score);
    return {};
  }

  const validation::PromptInspector& inspector_;
  const EvaluationSettings& settings_;
  Evaluation out_;
};

}  // namespace

RowClass classOf(std::string_view label) {
  if (label == "injection" || label == "jailbreak") return RowClass::Attack;
  if (label == "benign") return RowClass::Benign;
  if (label == "harmful") return RowClass::Harmful;
  return RowClass::Other;
}

Decision decide(const InspectionReport& report) {
  Decision d;
  for (const Detection& det : report.detections) {
    if (det.verdict == Verdict::Allow) continue;
    if (det.category == "harmful") {
      d.harmful = true;
      continue;
    }
    d.attack = true;
    if (!isStructural(det)) d.attackContent = true;
  }
  return d;
}

Result<Evaluation> evaluate(const validation::PromptInspector& inspector, const std::vector<LabelledRow>& rows,
                            const EvaluationSettings& settings) {
  return Evaluator(inspector, settings).run(rows);
}

}  // namespace warden::tools
