// Reads an upgraded OpenAI Realtime connection as it is relayed: each text
// message in either direction goes to the session reader as a JSON event;
// the rest is counted as uninspected. It sees messages only after their
// bytes were forwarded, so inspection never holds the session back.
#pragma once

#include "layers/audit/event.h"
#include "providers/realtime_session.h"
#include "proxy/websocket_relay.h"

namespace warden::proxy {

class RealtimeInspection final : public WebSocketTap {
 public:
  explicit RealtimeInspection(const providers::Route& route) : session_(route) {}

  void clientMessage(const warden::http::WebSocketMessage& message) override;
  void serverMessage(const warden::http::WebSocketMessage& message) override;

  // What the session's event keeps: the conversation the client sent, the
  // answers assembled, and the counts of what was and was not read.
  audit::LlmRecord llmRecord(const providers::Route& route) const;
  audit::WebSocketRecord webSocketRecord(const WebSocketOutcome& outcome) const;

 private:
  // A message the session reader can take: whole, uncompressed text.
  static bool readable(const warden::http::WebSocketMessage& message);

  providers::RealtimeSession session_;
};

}  // namespace warden::proxy
