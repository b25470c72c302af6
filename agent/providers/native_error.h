// Refusals written in the provider's own error format, so SDKs raise their
// usual API error type with warden's message.
#pragma once

#include <string>

#include "providers/adapter.h"
#include "providers/conversation.h"

namespace warden::providers {

enum class Refusal {
  Forbidden,        // policy denied: 403
  TooLarge,         // body over the limit: 413
  BadRequest,       // malformed request: 400
  RateLimited,      // budget or rate limit: 429 (with Retry-After set by the caller)
  UpstreamFailure,  // no answer from the real API: 502
  Unavailable,      // warden cannot take requests now (its audit spool is full): 503
};

struct ErrorReply {
  unsigned status = 403;
  std::string contentType = "application/json";
  std::string body;
};

// OpenAI (and Azure, OpenAI-compatible servers): {"error":{"message","type","code","param"}}
// Anthropic: {"type":"error","error":{"type","message"}}
// Gemini: {"error":{"code","message","status"}}
// Ollama: {"error":"..."}
// Unknown: the OpenAI shape, the de-facto standard.
// The message says warden refused it, why, and the event id to look up.
ErrorReply errorReply(Provider provider, Refusal refusal, const std::string& reason, const std::string& eventId);

// The same refusal as the last event of a stream already under way
// (text/event-stream, or an NDJSON line for Ollama), after which the relay
// closes the stream cleanly. OpenAI: `data: {"error":{...}}`; Anthropic:
// `event: error` with its error object; Gemini: a data event with its error.
std::string streamErrorEvent(Provider provider, Refusal refusal, const std::string& reason,
                             const std::string& eventId);

// The same refusal as one more unit of a body in `framing`, whatever the
// provider's usual framing is: an event (ServerSentEvents), a line
// (JsonLines), or the bare error object (JsonArray: the caller places it
// among the elements). Empty for Framing::Json: a single document cannot be
// continued.
std::string streamErrorIn(Framing framing, Provider provider, Refusal refusal, const std::string& reason,
                          const std::string& eventId);

// The same refusal as a server event of an OpenAI Realtime session (a
// WebSocket text message): {"type":"error","event_id",
// "error":{"type","code","message","param","event_id"}}. The Realtime SDKs
// surface it as the session's error event.
std::string realtimeErrorEvent(Refusal refusal, const std::string& reason, const std::string& eventId);

}  // namespace warden::providers
