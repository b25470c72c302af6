// The OpenAI API family: OpenAI itself, Azure OpenAI, and the many servers
// that speak its shape (vLLM, llama.cpp, Ollama's /v1, gateways).
#include <algorithm>

#include "providers/adapter.h"
#include "providers/openai_cursor.h"
#include "providers/openai_request.h"
#include "providers/openai_response.h"

namespace warden::providers {
namespace {

using openai::Cursor;

// The fields every operation shares.
Status readCommon(const Json& body, const Route& route, Request& out) {
  const Cursor root;
  auto model = openai::optionalString(body, root, "model");
  if (!model) return model.error();
  // Azure serves the deployment named in the path and ignores a body
  // "model": the path is what runs, so a policy on models must see it.
  if (!route.modelFromPath.empty()) {
    out.model = route.modelFromPath;
  } else if (*model != nullptr) {
    out.model = **model;
  }

  auto stream = openai::optionalBool(body, root, "stream");
  if (!stream) return stream.error();
  out.stream = stream->value_or(false) || route.streamFromPath;

  auto temperature = openai::optionalNumber(body, root, "temperature");
  if (!temperature) return temperature.error();
  out.temperature = *temperature;

  // Newest spelling first: max_output_tokens (responses), then
  // max_completion_tokens, which replaced max_tokens in chat.
  for (const char* key : {"max_output_tokens", "max_completion_tokens", "max_tokens"}) {
    auto limit = openai::optionalCount(body, root, key);
    if (!limit) return limit.error();
    if (*limit && !out.maxOutputTokens) out.maxOutputTokens = *limit;
  }
  return {};
}

Status readOperation(const Json& body, Operation operation, Request& out) {
  switch (operation) {
    case Operation::ChatCompletions:
      return openai::readChatRequest(body, out);
    case Operation::Completions:
      return openai::readCompletionsRequest(body, out);
    case Operation::Responses:
      return openai::readResponsesRequest(body, out);
    case Operation::Embeddings:
      return openai::readEmbeddingsRequest(body, out);
    case Operation::Moderations:
      return openai::readModerationsRequest(body, out);
    default:
      return Error{std::string("the OpenAI adapter does not read ") + toString(operation) + " requests"};
  }
}

bool isEventStream(std::string_view contentType) {
  std::string type(contentType.substr(0, contentType.find(';')));
  std::transform(type.begin(), type.end(), type.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type == "text/event-stream";
}

class OpenAiAdapter final : public Adapter {
 public:
  Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits) const override {
    auto parsed = parseJsonBody(body, limits.maxDepth);
    if (!parsed) return parsed.error().wrap("request body");
    if (!parsed->is_object()) return Error{"request body: expected a JSON object"};
    Request request;
    request.provider = route.provider;
    request.operation = route.operation;
    if (auto status = readCommon(*parsed, route, request); !status) return status.error();
    if (auto status = readOperation(*parsed, route.operation, request); !status) return status.error();
    return request;
  }

  std::unique_ptr<ResponseReader> readResponse(const Route& route, unsigned status,
                                               std::string_view contentType) const override {
    // Errors come back as JSON even when a stream was asked for.
    if (status < 400 && isEventStream(contentType)) {
      if (route.operation == Operation::Responses) return openai::makeResponsesStreamReader();
      return openai::makeChatStreamReader();
    }
    return openai::makeJsonReader(route.operation, status);
  }
};

}  // namespace

const Adapter& openAiAdapter() {
  static const OpenAiAdapter adapter;
  return adapter;
}

}  // namespace warden::providers
