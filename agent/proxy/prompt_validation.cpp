#include "proxy/prompt_validation.h"

#include <chrono>

namespace warden::proxy {
namespace {

using validation::MessagePart;
using validation::Verdict;

MessagePart partOf(providers::Role role) {
  switch (role) {
    case providers::Role::System:
    case providers::Role::Developer: return MessagePart::System;
    case providers::Role::Assistant: return MessagePart::Assistant;
    case providers::Role::Tool: return MessagePart::ToolResult;
    case providers::Role::User:
    case providers::Role::Unknown: return MessagePart::User;
  }
  return MessagePart::User;
}

bool isSystem(providers::Role role) { return role == providers::Role::System || role == providers::Role::Developer; }

audit::ValidationFinding findingOf(const validation::Detection& d) {
  audit::ValidationFinding f;
  f.id = d.id;
  f.category = d.category;
  f.severity = std::string(validation::severityName(d.severity));
  f.score = d.score;
  f.part = std::string(validation::messagePartName(d.part));
  f.text = d.textIndex;
  f.offset = d.span.offset;
  f.length = d.span.length;
  f.verdict = std::string(validation::verdictName(d.verdict));
  f.detail = d.detail;
  return f;
}

// The strongest blocking finding, in words the client's developer can act on.
std::string blockReason(const validation::InspectionReport& report) {
  for (const auto& d : report.detections) {
    if (d.verdict != Verdict::Block) continue;
    return "prompt validation: " + d.category + " detected (" + d.id + ", score " +
           std::to_string(static_cast<int>(d.score * 100 + 0.5)) + "%) in a " +
           std::string(validation::messagePartName(d.part)) + " text";
  }
  return "prompt validation: the request's text was refused";
}

// Calls `visit` with each text of requestTexts()'s list, in its order, without
// building the list (requestTextBytes() needs no list).
template <class Visit>
void forEachRequestText(const providers::Request& request, Visit&& visit) {
  const auto add = [&visit](MessagePart part, const providers::TextRef& ref, bool newInput, bool opening = false) {
    if (!ref.text.empty()) visit(RequestText{part, &ref, newInput, opening});
  };
  // The last user message is new input unless a tool exchange follows it:
  // in an agent's tool loop the user's prompt is resent with every result.
  size_t lastUser = request.messages.size();
  for (size_t m = 0; m < request.messages.size(); ++m) {
    const auto& message = request.messages[m];
    if (message.role == providers::Role::User || message.role == providers::Role::Unknown) {
      lastUser = m;
    } else if (message.role == providers::Role::Tool || !message.toolCalls.empty()) {
      lastUser = request.messages.size();
    }
  }
  bool opening = true;
  for (size_t m = 0; m < request.messages.size(); ++m) {
    const auto& message = request.messages[m];
    const MessagePart part = partOf(message.role);
    opening = opening && isSystem(message.role);
    for (const auto& piece : message.parts) {
      if (piece.kind == providers::Part::Kind::Text) add(part, piece.text, m == lastUser, opening);
    }
    // Arguments the client says the model asked for: read like the model's
    // own output (hidden text, rules scoped to assistant).
    for (const auto& call : message.toolCalls) add(MessagePart::Assistant, call.arguments, false);
  }
  // A tool's description is often a third party's text (an MCP server's) that
  // the model reads as instructions: screened like a retrieved document.
  for (const auto& tool : request.tools) add(MessagePart::Retrieved, tool.description, false);
  for (const auto& input : request.inputs) add(MessagePart::User, input, true);
}

}  // namespace

std::vector<RequestText> requestTexts(const providers::Request& request) {
  size_t count = 0;
  forEachRequestText(request, [&count](const RequestText&) { ++count; });
  std::vector<RequestText> out;
  out.reserve(count);  // one allocation, not one per doubling
  forEachRequestText(request, [&out](const RequestText& text) { out.push_back(text); });
  return out;
}

PromptValidation unreadPrompt(std::string error) {
  PromptValidation out;
  out.verdict = Verdict::Block;
  out.record.verdict = std::string(validation::verdictName(Verdict::Block));
  out.record.error = std::move(error);
  out.reason = "prompt validation could not inspect the request's text, so it was not forwarded";
  return out;
}

size_t requestTextBytes(const providers::Request& request) {
  size_t bytes = 0;
  forEachRequestText(request, [&bytes](const RequestText& text) { bytes += text.ref->text.size(); });
  return bytes;
}

PromptValidation validatePrompt(const validation::PromptInspector& inspector, std::span<const RequestText> texts,
                                bool rewritable) {
  PromptValidation out;
  const auto start = std::chrono::steady_clock::now();
  std::vector<validation::InspectedText> inputs;
  inputs.reserve(texts.size());
  for (const auto& text : texts) {
    inputs.push_back({text.part, text.ref->text});
    out.record.bytes += text.ref->text.size();
  }
  out.record.texts = texts.size();

  auto inspected = inspector.inspect(inputs);
  out.record.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (!inspected) {
    out.verdict = Verdict::Block;
    out.record.verdict = std::string(validation::verdictName(Verdict::Block));
    out.record.error = inspected.error().message;
    out.reason = "prompt validation could not inspect the request's text, so it was not forwarded";
    return out;
  }
  const auto& report = inspected.value();
  out.verdict = report.verdict;
  out.record.findings.reserve(report.detections.size());
  for (const auto& d : report.detections) out.record.findings.push_back(findingOf(d));
  for (size_t i = 0; i < report.texts.size() && i < texts.size(); ++i) {
    const auto& text = report.texts[i];
    out.record.hiddenCharacters +=
        text.counts.zeroWidth + text.counts.bidi + text.counts.tagCharacters + text.counts.variationSelectors;
    if (out.verdict == Verdict::Sanitize && text.sanitizeNeeded) {
      out.edits.push_back({texts[i].ref->pointer, text.sanitized});
    }
  }
  if (out.verdict == Verdict::Sanitize && !out.edits.empty() && !rewritable) {
    out.verdict = Verdict::Block;
    out.edits.clear();
    out.reason = "prompt validation: hidden characters in an uploaded file, which warden cannot rewrite";
  } else if (out.verdict == Verdict::Block) {
    out.reason = blockReason(report);
  }
  out.record.sanitizedTexts = out.verdict == Verdict::Sanitize ? out.edits.size() : 0;
  out.record.verdict = std::string(validation::verdictName(out.verdict));
  return out;
}

}  // namespace warden::proxy
