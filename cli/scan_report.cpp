#include "cli/scan_report.h"

#include <cstdio>

#include "cli/text_excerpt.h"
#include "layers/audit/event.h"

namespace warden::cli {
namespace {

using validation::Verdict;

std::string fixed2(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

std::string plural(size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string describeInput(const ScanReport& r) {
  const auto& in = r.input;
  std::string line = "input: ";
  if (in.apiBody) {
    const auto provider = in.request.provider;
    if (provider != providers::Provider::Unknown) line += std::string(providers::toString(provider)) + " ";
    line += std::string(providers::toString(in.request.operation)) + " request body, read as " +
            (in.host.empty() ? "" : in.host + " ") + in.path +
            (in.guessedFrom.empty() ? "" : " (guessed from \"" + in.guessedFrom + "\"; --path to choose)");
  } else {
    line += "plain text, one user message";
    if (!in.note.empty()) line += " (JSON " + in.note + ")";
  }
  return line + "; " + plural(r.result.record.texts, "text") + ", " + plural(r.result.record.bytes, "byte") + "\n";
}

std::string consequence(const ScanReport& r) {
  const auto& v = r.result;
  switch (v.verdict) {
    case Verdict::Allow:
      return "wardend would forward it\n";
    case Verdict::Flag:
      return "wardend would forward it and log the findings\n";
    case Verdict::Sanitize:
      return "wardend would forward it with the hidden characters removed from " + plural(v.edits.size(), "text") +
             "\n";
    case Verdict::Block:
      return "wardend would refuse it: " + v.reason + "\n";
  }
  return {};
}

// Where a finding's text is: its part, and in a request body its JSON pointer.
std::string textLabel(const ScanReport& r, size_t index) {
  std::string label = "text " + std::to_string(index);
  if (index >= r.texts.size()) return label;
  label += " (" + std::string(validation::messagePartName(r.texts[index].part));
  if (!r.texts[index].ref->pointer.empty()) label += ", " + r.texts[index].ref->pointer;
  return label + ")";
}

void renderFinding(std::string& out, const ScanReport& r, size_t n, const audit::ValidationFinding& f) {
  out += "  " + std::to_string(n) + ". " + f.id + "  " + f.category + "  " + f.severity + "  score " + fixed2(f.score) +
         "  -> " + f.verdict + "\n";
  out += "     " + textLabel(r, f.text);
  // A finding on another text than the one at its index would be quoted
  // wrongly: show the quote only when the parts agree.
  const bool known = f.text < r.texts.size() && validation::messagePartName(r.texts[f.text].part) == f.part;
  if (known && f.length > 0) {
    out += " at byte " + std::to_string(f.offset) + ", " + plural(f.length, "byte") + ": " +
           quotedExcerpt(r.texts[f.text].ref->text, f.offset, f.length);
  }
  out += "\n";
  if (!f.detail.empty()) out += "     " + f.detail + "\n";
}

std::string hiddenLine(const ScanReport& r) {
  const auto& c = r.counts;
  std::string line = "hidden characters: ";
  if (r.result.record.hiddenCharacters == 0) {
    line += "none";
  } else {
    line += std::to_string(r.result.record.hiddenCharacters) + " (" + std::to_string(c.tagCharacters) + " tag, " +
            std::to_string(c.variationSelectors) + " variation selector, " + std::to_string(c.bidi) + " bidi, " +
            std::to_string(c.zeroWidth) + " zero-width)";
  }
  if (c.confusablesFolded > 0) line += "; " + std::to_string(c.confusablesFolded) + " look-alike letters read as ASCII";
  if (c.invalidUtf8 > 0) line += "; " + plural(c.invalidUtf8, "byte") + " of invalid UTF-8";
  return line + "\n";
}

// What a sanitising wardend forwards instead of each changed text.
void renderEdits(std::string& out, const ScanReport& r) {
  for (const auto& edit : r.result.edits) {
    size_t index = 0;
    while (index < r.texts.size() && r.texts[index].ref->pointer != edit.pointer) ++index;
    out += "  " + textLabel(r, index) + " forwarded as " + quotedExcerpt(edit.text, 0, edit.text.size()) + "\n";
  }
}

}  // namespace

std::string renderScan(const ScanReport& r) {
  const auto& record = r.result.record;
  std::string out = "verdict: " + record.verdict + "\n";
  out += describeInput(r);
  out += "engine: " + r.configSource + (r.validationEnabled ? "" : " (validation.enabled: false there)") + "\n";
  out += consequence(r);
  if (!record.error.empty()) out += "engine error: " + record.error + "\n";
  renderEdits(out, r);
  out += "\n";
  if (record.findings.empty()) {
    out += "no detections\n";
  } else {
    out += plural(record.findings.size(), "detection") + ":\n";
    for (size_t i = 0; i < record.findings.size(); ++i) renderFinding(out, r, i + 1, record.findings[i]);
  }
  out += hiddenLine(r);
  return out;
}

nlohmann::json scanToJson(const ScanReport& r) {
  using nlohmann::json;
  // The record exactly as the audit log writes it.
  audit::Event event;
  event.validation = r.result.record;
  json validation = audit::toJson(event, "")["validation"];

  json input = {{"kind", r.input.apiBody ? "api_request" : "text"}};
  if (r.input.apiBody) {
    input["host"] = r.input.host;
    input["path"] = r.input.path;
    input["provider"] = providers::toString(r.input.request.provider);
    input["operation"] = providers::toString(r.input.request.operation);
    if (!r.input.request.model.empty()) input["model"] = r.input.request.model;
    if (!r.input.guessedFrom.empty()) input["guessed_from"] = r.input.guessedFrom;
  }
  if (!r.input.note.empty()) input["note"] = r.input.note;

  json texts = json::array();
  for (const auto& t : r.texts) {
    json text = {{"part", std::string(validation::messagePartName(t.part))}, {"text", t.ref->text}};
    if (!t.ref->pointer.empty()) text["pointer"] = t.ref->pointer;
    for (const auto& edit : r.result.edits) {
      if (edit.pointer == t.ref->pointer) text["sanitized"] = edit.text;
    }
    texts.push_back(std::move(text));
  }

  json out = {{"config", {{"source", r.configSource}, {"validation_enabled", r.validationEnabled}}},
              {"input", std::move(input)},
              {"texts", std::move(texts)},
              {"validation", std::move(validation)}};
  if (!r.result.reason.empty()) out["reason"] = r.result.reason;
  return out;
}

}  // namespace warden::cli
