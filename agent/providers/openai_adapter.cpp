// The OpenAI API family: OpenAI itself, Azure OpenAI, and the many servers
// that speak its shape (vLLM, llama.cpp, Ollama's /v1, gateways).
#include "providers/adapter.h"
#include "providers/field_reader.h"
#include "providers/openai_cursor.h"
#include "providers/openai_request.h"
#include "providers/openai_response.h"
#include "providers/provider_adapter.h"

namespace warden::providers {
namespace {

using openai::Cursor;

// The fields every operation shares.
Status readCommon(JsonValue body, const Route& route, Request& out) {
  const Cursor root;
  auto model = openai::optionalString(body, root, "model");
  if (!model) return model.error();
  // Azure serves the deployment named in the path and ignores a body
  // "model": the path is what runs, so a policy on models must see it.
  if (!route.modelFromPath.empty()) {
    out.model = route.modelFromPath;
  } else if (*model) {
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

Status readOperation(JsonValue body, Operation operation, Request& out) {
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

Result<Request> parseOpenAiRequest(const Route& route, std::string_view body, const ParseLimits& limits) {
  return readRequestObject(body, limits, [&route](JsonValue json) -> Result<Request> {
    Request request;
    request.provider = route.provider;
    request.operation = route.operation;
    if (auto status = readCommon(json, route, request); !status) return status.error();
    if (auto status = readOperation(json, route.operation, request); !status) return status.error();
    return request;
  });
}

std::unique_ptr<ResponseReader> makeOpenAiReader(const Route& route, Framing framing, unsigned status) {
  if (framing != Framing::ServerSentEvents) return openai::makeJsonReader(route.operation, status);
  if (route.operation == Operation::Responses) return openai::makeResponsesStreamReader();
  return openai::makeChatStreamReader();
}

}  // namespace

const Adapter& openAiAdapter() {
  static const ProviderAdapter adapter(
      parseOpenAiRequest, [](const Route&) { return FramingRule{.events = true}; }, makeOpenAiReader);
  return adapter;
}

}  // namespace warden::providers
