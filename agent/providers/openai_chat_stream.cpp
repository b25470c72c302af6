// chat.completion.chunk and text_completion streams: per-choice deltas of
// content and of tool calls (by index, arguments in pieces), a finish
// reason, usage in a last chunk with no choices, then "[DONE]".
#include "providers/openai_response.h"
#include "providers/openai_sse_reader.h"

namespace warden::providers::openai {
namespace {

// The legacy single function_call is filed after any indexed tool call.
constexpr uint64_t kLegacyFunctionCall = UINT64_MAX;

class ChatStreamReader final : public SseResponseReader {
 protected:
  void onChunk(const http::SseEvent& /*event*/, JsonValue chunk) override {
    if (auto error = errorMessageOf(chunk, false)) {
      response_.errorMessage = std::move(error);
      return;
    }
    // Every chunk repeats id and model; Azure's first chunk (prompt filter
    // results) has an empty id.
    readResponseHeader(chunk, response_);
    const auto choices = member(chunk, "choices");
    if (!choices) return;
    if (!choices->isArray()) return failHere("choices: expected an array");
    size_t i = 0;
    for (JsonValue choice : choices->elements()) {
      if (faulted()) break;
      readChoice(choice, i++);
    }
  }

 private:
  // A text field of a delta: absent or null is nothing, another type a fault.
  std::optional<std::string_view> text(JsonValue object, std::string_view key, const std::string& path) {
    const auto value = member(object, key);
    if (!value) return std::nullopt;
    if (!value->isString()) {
      failHere(path + "." + std::string(key) + ": expected a string");
      return std::nullopt;
    }
    return value->string();
  }

  void readChoice(JsonValue choice, size_t position) {
    const std::string path = "choices[" + std::to_string(position) + "]";
    if (!choice.isObject()) return failHere(path + ": expected an object");
    const uint64_t index = countOf(member(choice, "index")).value_or(position);
    // text_completion chunks carry the text on the choice itself.
    if (const auto piece = text(choice, "text", path)) text_.append({index, 0}, *piece);
    if (const auto delta = member(choice, "delta"); delta && delta->isObject()) {
      const std::string deltaPath = path + ".delta";
      if (const auto piece = text(*delta, "content", deltaPath)) text_.append({index, 0}, *piece);
      if (const auto piece = text(*delta, "refusal", deltaPath)) text_.append({index, 0}, *piece);
      readToolCallDeltas(*delta, index, deltaPath);
    }
    if (faulted()) return;
    if (response_.finishReason.empty()) response_.finishReason = stringOr(choice, "finish_reason");
  }

  void readToolCallDeltas(JsonValue delta, uint64_t choice, const std::string& path) {
    if (const auto calls = member(delta, "tool_calls"); calls && calls->isArray()) {
      size_t position = 0;
      for (JsonValue call : calls->elements()) {
        if (faulted()) break;
        const size_t j = position++;
        const uint64_t index = countOf(member(call, "index")).value_or(j);
        const bool custom = stringOr(call, "type") == "custom" || member(call, "custom").has_value();
        const auto body = member(call, custom ? "custom" : "function");
        const std::string callPath =
            path + ".tool_calls[" + std::to_string(j) + "]." + (custom ? "custom" : "function");
        mergeCall(toolCalls_.at({choice, index}), stringOr(call, "id"), body, custom ? "input" : "arguments",
                  callPath);
      }
    }
    if (const auto legacy = member(delta, "function_call"); legacy && legacy->isObject()) {
      // The legacy call has no id.
      mergeCall(toolCalls_.at({choice, kLegacyFunctionCall}), {}, legacy, "arguments", path + ".function_call");
    }
  }

  // The first delta of a call names it; later ones add argument text.
  void mergeCall(ToolCall& into, std::string id, std::optional<JsonValue> body, std::string_view argumentsKey,
                 const std::string& path) {
    if (!id.empty() && into.id.empty()) into.id = std::move(id);
    if (!body || !body->isObject()) return;
    if (std::string name = stringOr(*body, "name"); !name.empty() && into.name.empty()) into.name = std::move(name);
    if (const auto piece = text(*body, argumentsKey, path)) budget_.append(into.arguments.text, *piece);
  }
};

}  // namespace

std::unique_ptr<ResponseReader> makeChatStreamReader() { return std::make_unique<ChatStreamReader>(); }

}  // namespace warden::providers::openai
