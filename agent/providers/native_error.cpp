#include "providers/native_error.h"

#include <nlohmann/json.hpp>

namespace warden::providers {
namespace {

using Json = nlohmann::ordered_json;

// How each refusal is spelled by each API. SDKs pick their exception class
// from the HTTP status (403 -> PermissionDenied, 429 -> RateLimit, ...) and
// copy these fields onto it, so the status and the type must agree.
struct Spelling {
  unsigned status;
  const char* openAiType;
  const char* openAiCode;
  const char* anthropicType;
  const char* geminiStatus;
};

Spelling spellingOf(Refusal refusal) {
  switch (refusal) {
    case Refusal::Forbidden:
      return {403, "permission_denied", "warden_blocked", "permission_error", "PERMISSION_DENIED"};
    case Refusal::TooLarge:
      return {413, "invalid_request_error", "warden_request_too_large", "request_too_large", "INVALID_ARGUMENT"};
    case Refusal::BadRequest:
      return {400, "invalid_request_error", "warden_bad_request", "invalid_request_error", "INVALID_ARGUMENT"};
    case Refusal::RateLimited:
      return {429, "rate_limit_exceeded", "warden_rate_limited", "rate_limit_error", "RESOURCE_EXHAUSTED"};
    case Refusal::UpstreamFailure:
      return {502, "server_error", "warden_upstream_failure", "api_error", "UNAVAILABLE"};
    case Refusal::Unavailable:
      return {503, "server_error", "warden_unavailable", "overloaded_error", "UNAVAILABLE"};
  }
  return spellingOf(Refusal::Forbidden);
}

std::string messageOf(Refusal refusal, const std::string& reason, const std::string& eventId) {
  std::string message = refusal == Refusal::UpstreamFailure || refusal == Refusal::Unavailable
                            ? "Request could not be completed by warden"
                            : "Request blocked by warden";
  if (!reason.empty()) message += ": " + reason;
  if (!eventId.empty()) message += " (event " + eventId + ")";
  return message;
}

Json errorObject(Provider provider, Refusal refusal, const std::string& message) {
  const Spelling spelling = spellingOf(refusal);
  switch (provider) {
    case Provider::Anthropic:
      return Json{{"type", "error"}, {"error", Json{{"type", spelling.anthropicType}, {"message", message}}}};
    case Provider::Gemini:
      return Json{{"error", Json{{"code", spelling.status}, {"message", message}, {"status", spelling.geminiStatus}}}};
    case Provider::Ollama:
      return Json{{"error", message}};
    case Provider::OpenAI:
    case Provider::AzureOpenAI:
    case Provider::Unknown:
      break;
  }
  return Json{
      {"error",
       Json{{"message", message}, {"type", spelling.openAiType}, {"param", nullptr}, {"code", spelling.openAiCode}}}};
}

// The reason may quote client input: invalid UTF-8 is replaced rather than
// failing the refusal itself.
std::string serialise(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

ErrorReply errorReply(Provider provider, Refusal refusal, const std::string& reason, const std::string& eventId) {
  ErrorReply reply;
  reply.status = spellingOf(refusal).status;
  reply.contentType = "application/json";
  reply.body = serialise(errorObject(provider, refusal, messageOf(refusal, reason, eventId)));
  return reply;
}

std::string streamErrorEvent(Provider provider, Refusal refusal, const std::string& reason,
                             const std::string& eventId) {
  const std::string body = serialise(errorObject(provider, refusal, messageOf(refusal, reason, eventId)));
  switch (provider) {
    case Provider::Ollama:
      return body + "\n";
    case Provider::Anthropic:
      // The Anthropic SDKs raise on the "error" event type, not on its data.
      return "event: error\ndata: " + body + "\n\n";
    case Provider::OpenAI:
    case Provider::AzureOpenAI:
    case Provider::Gemini:
    case Provider::Unknown:
      break;
  }
  // The OpenAI SDKs raise on a data event holding an "error" member.
  return "data: " + body + "\n\n";
}

std::string streamErrorIn(Framing framing, Provider provider, Refusal refusal, const std::string& reason,
                          const std::string& eventId) {
  switch (framing) {
    case Framing::Json:
      return {};
    case Framing::JsonLines:
      return serialise(errorObject(provider, refusal, messageOf(refusal, reason, eventId))) + "\n";
    case Framing::JsonArray:
      return serialise(errorObject(provider, refusal, messageOf(refusal, reason, eventId)));
    case Framing::ServerSentEvents:
      break;
  }
  // Ollama's own streams are lines; as events it takes the common shape,
  // which every OpenAI-style client raises on.
  return streamErrorEvent(provider == Provider::Ollama ? Provider::Unknown : provider, refusal, reason, eventId);
}

std::string realtimeErrorEvent(Refusal refusal, const std::string& reason, const std::string& eventId) {
  const Spelling spelling = spellingOf(refusal);
  // Server event ids are the server's own; warden's says who wrote it.
  return serialise(Json{{"type", "error"},
                        {"event_id", "event_warden_" + eventId},
                        {"error", Json{{"type", spelling.openAiType},
                                       {"code", spelling.openAiCode},
                                       {"message", messageOf(refusal, reason, eventId)},
                                       {"param", nullptr},
                                       {"event_id", nullptr}}}});
}

}  // namespace warden::providers
