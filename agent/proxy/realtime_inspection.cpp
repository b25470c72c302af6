#include "proxy/realtime_inspection.h"

#include "providers/json_edit.h"
#include "providers/native_error.h"
#include "proxy/offload.h"
#include "proxy/prompt_validation.h"
#include "proxy/request_inspection.h"
#include "proxy/response_inspection.h"

namespace warden::proxy {

using validation::Verdict;
using warden::http::WebSocketMessage;
using warden::http::WebSocketOpcode;

namespace {

// Findings kept over a whole session: the event record stays bounded however
// long the session runs.
constexpr size_t kMaxSessionFindings = 64;

bool isControl(const WebSocketMessage& message) {
  return message.opcode != WebSocketOpcode::Text && message.opcode != WebSocketOpcode::Binary;
}

bool carriesText(const providers::Request& event) {
  return !event.messages.empty() || !event.tools.empty() || !event.inputs.empty();
}

}  // namespace

bool RealtimeInspection::readable(const WebSocketMessage& message) {
  return message.opcode == WebSocketOpcode::Text && !message.compressed && !message.truncated;
}

RealtimeInspection::Prepared RealtimeInspection::prepare(const WebSocketMessage& message) {
  Prepared out;
  if (isControl(message)) {
    out.verdict = TapVerdict{};
    return out;
  }
  const bool judging = holdsClientMessages();
  if (!readable(message)) {
    session_.uninspected();
    out.verdict = judging && (validation_.blockUnreadable || message.truncated)
                      ? refuse(
                            "prompt validation could not read a Realtime message (binary, compressed or over the "
                            "size limit), so it was not forwarded")
                      : TapVerdict{};
    return out;
  }
  // Each event's own content is what the layer judges; the session keeps
  // the whole conversation for the record.
  auto event = session_.clientEvent(message.payload);
  if (!judging) {
    out.verdict = TapVerdict{};
  } else if (!event) {
    out.verdict = validation_.blockUnreadable ? refuse("prompt validation could not read a Realtime event (" +
                                                       event.error().message + "), so it was not forwarded")
                                              : TapVerdict{};
  } else if (!carriesText(*event)) {
    out.verdict = TapVerdict{};  // audio, session settings without text...
  } else {
    out.event = std::move(event.value());
  }
  return out;
}

TapVerdict RealtimeInspection::clientMessage(const WebSocketMessage& message) {
  Prepared prepared = prepare(message);
  if (prepared.verdict) return std::move(*prepared.verdict);
  return conclude(validatePrompt(*validation_.inspector, requestTexts(prepared.event), true), message.payload);
}

asio::awaitable<TapVerdict> RealtimeInspection::judgeClientMessage(const WebSocketMessage& message) {
  Prepared prepared = prepare(message);
  if (prepared.verdict) co_return std::move(*prepared.verdict);
  const auto check = [&inspector = *validation_.inspector, &event = prepared.event]() noexcept {
    try {
      return validatePrompt(inspector, requestTexts(event), true);
    } catch (const std::exception& e) {
      return unreadPrompt(std::string("validation failed: ") + e.what());
    }
  };
  PromptValidation checked;
  if (validation_.pool == nullptr || requestTextBytes(prepared.event) <= RealtimeValidation::kInlineTextBytes) {
    checked = check();
  } else {
    checked = co_await runOffLoop(*validation_.pool, check);
  }
  co_return conclude(std::move(checked), message.payload);
}

TapVerdict RealtimeInspection::conclude(PromptValidation checked, std::string_view json) {
  TapVerdict verdict;
  if (checked.verdict == Verdict::Sanitize && !checked.edits.empty()) {
    if (auto edited = providers::applyEdits(json, checked.edits)) {
      verdict = TapVerdict{TapVerdict::Action::Rewrite, std::move(edited.value()), {}, {}};
    } else {
      checked.verdict = Verdict::Block;
      checked.record.verdict = std::string(validation::verdictName(Verdict::Block));
      checked.record.error = edited.error().message;
      checked.reason = "prompt validation: hidden characters that could not be removed";
    }
  }
  keep(checked.record, checked.verdict);
  if (checked.verdict == Verdict::Block) return refuse(checked.reason);
  return verdict;
}

void RealtimeInspection::keep(const audit::ValidationRecord& event, Verdict verdict) {
  ++verdicts_[static_cast<size_t>(verdict)];
  if (!record_) {
    record_.emplace();
    record_->verdict = std::string(validation::verdictName(Verdict::Allow));
  }
  audit::ValidationRecord& session = *record_;
  session.texts += event.texts;
  session.bytes += event.bytes;
  session.hiddenCharacters += event.hiddenCharacters;
  session.sanitizedTexts += event.sanitizedTexts;
  session.duration += event.duration;
  if (session.error.empty()) session.error = event.error;
  if (verdict > worst_) {
    worst_ = verdict;
    session.verdict = event.verdict;
    session.findings.clear();
  }
  if (verdict != worst_) return;
  for (const auto& finding : event.findings) {
    if (session.findings.size() >= kMaxSessionFindings) break;
    session.findings.push_back(finding);
  }
}

TapVerdict RealtimeInspection::refuse(std::string reason) const {
  TapVerdict verdict;
  verdict.action = TapVerdict::Action::Refuse;
  verdict.notice = providers::realtimeErrorEvent(providers::Refusal::Forbidden, reason, validation_.eventId);
  verdict.reason = std::move(reason);
  return verdict;
}

void RealtimeInspection::serverMessage(const WebSocketMessage& message) {
  if (isControl(message)) return;
  if (!readable(message)) {
    session_.uninspected();
    return;
  }
  session_.serverEvent(message.payload);
}

audit::LlmRecord RealtimeInspection::llmRecord(const providers::Route& route) const {
  audit::LlmRecord record;
  record.provider = providers::toString(route.provider);
  record.operation = providers::toString(route.operation);
  record.request = requestRecord(session_.request());
  record.response = responseRecord(session_.response());
  return record;
}

audit::WebSocketRecord RealtimeInspection::webSocketRecord(const WebSocketOutcome& outcome) const {
  const auto& counts = session_.counts();
  audit::WebSocketRecord record;
  record.messagesFromClient = outcome.messagesFromClient;
  record.messagesToClient = outcome.messagesToClient;
  record.eventsFromClient = counts.clientEvents;
  record.eventsToClient = counts.serverEvents;
  record.uninspected = counts.uninspected;
  record.malformed = counts.malformed;
  record.unreadable = outcome.unreadable;
  record.refused = outcome.refused;
  return record;
}

}  // namespace warden::proxy
