#include "proxy/realtime_inspection.h"

#include "proxy/request_inspection.h"
#include "proxy/response_inspection.h"

namespace warden::proxy {

using warden::http::WebSocketMessage;
using warden::http::WebSocketOpcode;

bool RealtimeInspection::readable(const WebSocketMessage& message) {
  return message.opcode == WebSocketOpcode::Text && !message.compressed && !message.truncated;
}

void RealtimeInspection::clientMessage(const WebSocketMessage& message) {
  if (message.opcode != WebSocketOpcode::Text && message.opcode != WebSocketOpcode::Binary) return;  // control
  if (!readable(message)) {
    session_.uninspected();
    return;
  }
  // Each event's own content is what a layer will judge; the session keeps
  // the whole conversation for the record.
  (void)session_.clientEvent(message.payload);
}

void RealtimeInspection::serverMessage(const WebSocketMessage& message) {
  if (message.opcode != WebSocketOpcode::Text && message.opcode != WebSocketOpcode::Binary) return;
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
  return record;
}

}  // namespace warden::proxy
