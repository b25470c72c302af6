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
  void onChunk(const http::SseEvent& /*event*/, const Json& chunk) override {
    if (auto error = errorMessageOf(chunk, false)) {
      response_.errorMessage = std::move(error);
      return;
    }
    // Every chunk repeats id and model; Azure's first chunk (prompt filter
    // results) has an empty id.
    readResponseHeader(chunk, response_);
    const Json* choices = member(chunk, "choices");
    if (choices == nullptr) return;
    if (!choices->is_array()) return failHere("choices: expected an array");
    for (size_t i = 0; i < choices->size() && !faulted(); ++i) readChoice((*choices)[i], i);
  }

 private:
  // A text field of a delta: absent or null is nothing, another type a fault.
  const std::string* text(const Json& object, std::string_view key, const std::string& path) {
    const Json* value = member(object, key);
    if (value == nullptr) return nullptr;
    if (!value->is_string()) {
      failHere(path + "." + std::string(key) + ": expected a string");
      return nullptr;
    }
    return &value->get_ref<const std::string&>();
  }

  void readChoice(const Json& choice, size_t position) {
    const std::string path = "choices[" + std::to_string(position) + "]";
    if (!choice.is_object()) return failHere(path + ": expected an object");
    const uint64_t index = countOf(member(choice, "index")).value_or(position);
    // text_completion chunks carry the text on the choice itself.
    if (const std::string* piece = text(choice, "text", path)) text_.append({index, 0}, *piece);
    if (const Json* delta = member(choice, "delta"); delta != nullptr && delta->is_object()) {
      const std::string deltaPath = path + ".delta";
      if (const std::string* piece = text(*delta, "content", deltaPath)) text_.append({index, 0}, *piece);
      if (const std::string* piece = text(*delta, "refusal", deltaPath)) text_.append({index, 0}, *piece);
      readToolCallDeltas(*delta, index, deltaPath);
    }
    if (faulted()) return;
    if (response_.finishReason.empty()) response_.finishReason = stringOr(choice, "finish_reason");
  }

  void readToolCallDeltas(const Json& delta, uint64_t choice, const std::string& path) {
    if (const Json* calls = member(delta, "tool_calls"); calls != nullptr && calls->is_array()) {
      for (size_t j = 0; j < calls->size() && !faulted(); ++j) {
        const Json& call = (*calls)[j];
        const uint64_t index = countOf(member(call, "index")).value_or(j);
        const bool custom = stringOr(call, "type") == "custom" || member(call, "custom") != nullptr;
        const Json* body = member(call, custom ? "custom" : "function");
        const std::string callPath =
            path + ".tool_calls[" + std::to_string(j) + "]." + (custom ? "custom" : "function");
        mergeCall(toolCalls_.at({choice, index}), call, body, custom ? "input" : "arguments", callPath);
      }
    }
    if (const Json* legacy = member(delta, "function_call"); legacy != nullptr && legacy->is_object()) {
      mergeCall(toolCalls_.at({choice, kLegacyFunctionCall}), Json::object(), legacy, "arguments",
                path + ".function_call");
    }
  }

  // The first delta of a call names it; later ones add argument text.
  void mergeCall(ToolCall& into, const Json& call, const Json* body, std::string_view argumentsKey,
                 const std::string& path) {
    if (std::string id = stringOr(call, "id"); !id.empty() && into.id.empty()) into.id = std::move(id);
    if (body == nullptr || !body->is_object()) return;
    if (std::string name = stringOr(*body, "name"); !name.empty() && into.name.empty()) into.name = std::move(name);
    if (const std::string* piece = text(*body, argumentsKey, path)) budget_.append(into.arguments.text, *piece);
  }
};

}  // namespace

std::unique_ptr<ResponseReader> makeChatStreamReader() { return std::make_unique<ChatStreamReader>(); }

}  // namespace warden::providers::openai
