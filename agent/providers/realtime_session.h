// An OpenAI Realtime session (wss://api.openai.com/v1/realtime, and Azure's
// /openai/realtime) read from its WebSocket text messages, one JSON event
// each: what the client sends (instructions, tools, user text, tool results)
// and what the model answers (text and transcripts assembled from deltas,
// tool calls, usage). Audio and anything unknown is counted, not read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/route.h"
#include "providers/text_budget.h"

namespace warden::providers {

// The Realtime route of a WebSocket upgrade request, or nullopt when the
// target is not a Realtime endpoint of that host: OpenAI GET
// /v1/realtime?model=..., Azure GET /openai/realtime?deployment=...
// (modelFromPath is the model or deployment from the query).
std::optional<Route> realtimeRoute(std::string_view host, std::string_view target);

struct RealtimeCounts {
  uint64_t clientEvents = 0;  // JSON events read from the client
  uint64_t serverEvents = 0;
  uint64_t uninspected = 0;  // binary, compressed or truncated messages, and events of unknown types
  uint64_t malformed = 0;    // text messages that are not a JSON event object, or whose fields have wrong types
};

class RealtimeSession {
 public:
  // `maxTextBytes` bounds the output text and tool arguments kept, and
  // separately the client text kept in request().
  explicit RealtimeSession(const Route& route, size_t maxTextBytes = TextBudget::kDefaultLimit);
  RealtimeSession(RealtimeSession&&) noexcept;
  RealtimeSession& operator=(RealtimeSession&&) noexcept;
  ~RealtimeSession();

  // One client text message. Returns what this event adds to the
  // conversation (a Request holding only the new messages and tools, empty
  // for events that carry no text such as audio appends), so each event can
  // be judged as it passes; an error for a message that is not a JSON event
  // object, or whose fields have types the API does not take. TextRef
  // pointers point into this event's JSON.
  Result<Request> clientEvent(std::string_view json);
  // One server text message: deltas, tool calls, usage and errors are
  // assembled into response().
  void serverEvent(std::string_view json);
  // A message that is not read (binary, compressed, over the size bound).
  void uninspected() { ++counts_.uninspected; }

  // Everything the client has sent so far, as one conversation.
  const Request& request() const { return request_; }
  const Response& response() const;
  const RealtimeCounts& counts() const { return counts_; }

 private:
  // The server side: text assembly holds pointers into the response, so it
  // lives on the heap and a session can be moved.
  struct Output;

  void keep(const Request& event);

  Request request_;
  RealtimeCounts counts_;
  TextBudget requestBudget_;
  std::unique_ptr<Output> output_;
};

}  // namespace warden::providers
