// Reads an upgraded OpenAI Realtime connection as it is relayed: each text
// message in either direction goes to the session reader as a JSON event;
// the rest is counted as uninspected. With the validation layer on, the
// client's events are judged before they are forwarded (the relay holds each
// until then): an event whose text the layer blocks is refused with a
// Realtime error event and the session ends; smuggled characters are removed
// from an event before it goes on. Without it, messages are read after their
// bytes went out, so inspection never holds the session back.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "layers/audit/event.h"
#include "layers/validation/prompt_inspector.h"
#include "providers/realtime_session.h"
#include "proxy/prompt_validation.h"
#include "proxy/websocket_relay.h"

namespace warden::proxy {

struct RealtimeValidation {
  const validation::PromptInspector* inspector = nullptr;  // null: the layer is off
  // Refuse a client message that cannot be read (binary, compressed, not a
  // JSON event, over the size bound) instead of forwarding it unchecked.
  bool blockUnreadable = true;
  std::string eventId;  // the session's audit event, named in refusals
  // Where events with more than kInlineTextBytes of text are validated, so
  // the worker's other connections keep moving; null: on the worker.
  asio::thread_pool* pool = nullptr;
  static constexpr size_t kInlineTextBytes = 16 * 1024;
};

class RealtimeInspection final : public WebSocketTap {
 public:
  RealtimeInspection(const providers::Route& route, RealtimeValidation validation)
      : session_(route), validation_(std::move(validation)) {}

  TapVerdict clientMessage(const warden::http::WebSocketMessage& message) override;
  asio::awaitable<TapVerdict> judgeClientMessage(const warden::http::WebSocketMessage& message) override;
  void serverMessage(const warden::http::WebSocketMessage& message) override;
  bool holdsClientMessages() const override { return validation_.inspector != nullptr; }

  // What the session's event keeps: the conversation the client sent, the
  // answers assembled, and the counts of what was and was not read.
  audit::LlmRecord llmRecord(const providers::Route& route) const;
  audit::WebSocketRecord webSocketRecord(const WebSocketOutcome& outcome) const;
  // The layer's record over the whole session: texts and time summed, the
  // verdict and findings of its most severe event. None when it was off.
  const std::optional<audit::ValidationRecord>& validationRecord() const { return record_; }
  // Events judged, per verdict (validation::Verdict order).
  const std::array<uint64_t, 4>& verdicts() const { return verdicts_; }

 private:
  // A message the session reader can take: whole, uncompressed text.
  static bool readable(const warden::http::WebSocketMessage& message);

  // A message read as an event: either a verdict already (control frames,
  // what cannot be read, events without text) or the event to validate.
  struct Prepared {
    std::optional<TapVerdict> verdict;
    providers::Request event;
  };
  Prepared prepare(const warden::http::WebSocketMessage& message);
  TapVerdict conclude(PromptValidation checked, std::string_view json);
  TapVerdict refuse(std::string reason) const;
  void keep(const audit::ValidationRecord& event, validation::Verdict verdict);

  providers::RealtimeSession session_;
  RealtimeValidation validation_;
  std::optional<audit::ValidationRecord> record_;
  validation::Verdict worst_ = validation::Verdict::Allow;
  std::array<uint64_t, 4> verdicts_{};
};

}  // namespace warden::proxy
