// The fields of whole OpenAI response objects. Upstream replies are read
// leniently: a field of an unexpected type is skipped, not fatal, since the
// reply is relayed whatever it holds.
#include "providers/openai_response.h"

namespace warden::providers::openai {
namespace {

std::optional<JsonValue> arrayMember(JsonValue object, std::string_view key) {
  auto value = member(object, key);
  return value && value->isArray() ? value : std::nullopt;
}

std::optional<JsonValue> objectMember(JsonValue object, std::string_view key) {
  auto value = member(object, key);
  return value && value->isObject() ? value : std::nullopt;
}

void appendString(JsonValue object, std::string_view key, std::string& out) {
  const auto value = member(object, key);
  if (value && value->isString()) out += value->string();
}

// Content is a string from OpenAI; some compatible servers send parts.
void appendContent(JsonValue message, std::string& out) {
  const auto content = member(message, "content");
  if (!content) return;
  if (content->isString()) {
    out += content->string();
  } else if (content->isArray()) {
    for (JsonValue part : content->elements()) appendString(part, "text", out);
  }
}

ToolCall toolCall(JsonValue body, std::string id, const std::string& argumentsKey, const Cursor* at) {
  ToolCall call;
  call.id = std::move(id);
  call.name = stringOr(body, "name");
  call.arguments.text = stringOr(body, argumentsKey);
  if (at != nullptr) call.arguments.pointer = at->child(argumentsKey).pointer();
  return call;
}

void readChatToolCalls(JsonValue message, const Cursor& at, Response& out) {
  if (const auto calls = arrayMember(message, "tool_calls")) {
    size_t position = 0;
    for (JsonValue call : calls->elements()) {
      const size_t j = position++;
      const bool custom = stringOr(call, "type") == "custom";
      const char* bodyKey = custom ? "custom" : "function";
      const auto body = objectMember(call, bodyKey);
      if (!body) continue;
      const Cursor bodyAt = at.child("tool_calls").child(j).child(bodyKey);
      out.toolCalls.push_back(toolCall(*body, stringOr(call, "id"), custom ? "input" : "arguments", &bodyAt));
    }
  }
  if (const auto legacy = objectMember(message, "function_call")) {
    const Cursor legacyAt = at.child("function_call");
    out.toolCalls.push_back(toolCall(*legacy, {}, "arguments", &legacyAt));
  }
}

void setFinishReason(JsonValue choice, Response& out) {
  if (out.finishReason.empty()) out.finishReason = stringOr(choice, "finish_reason");
}

}  // namespace

void readUsage(JsonValue usage, Usage& out) {
  if (!usage.isObject()) return;
  if (auto n = countOf(member(usage, "prompt_tokens"))) out.inputTokens = n;
  if (auto n = countOf(member(usage, "input_tokens"))) out.inputTokens = n;
  if (auto n = countOf(member(usage, "completion_tokens"))) out.outputTokens = n;
  if (auto n = countOf(member(usage, "output_tokens"))) out.outputTokens = n;
}

std::optional<std::string> errorMessageOf(JsonValue body, bool errorStatus) {
  if (!body.isObject()) return std::nullopt;
  if (const auto error = member(body, "error")) {
    if (error->isString()) return error->str();
    if (error->isObject()) {
      std::string message = stringOr(*error, "message");
      if (message.empty()) message = stringOr(*error, "code");
      if (message.empty()) message = "error without a message";
      return message;
    }
  }
  if (!errorStatus) return std::nullopt;
  for (const char* key : {"message", "detail"}) {
    std::string message = stringOr(body, key);
    if (!message.empty()) return message;
  }
  return std::nullopt;
}

void readResponseHeader(JsonValue body, Response& out) {
  if (!body.isObject()) return;
  if (std::string id = stringOr(body, "id"); !id.empty()) out.id = std::move(id);
  if (std::string model = stringOr(body, "model"); !model.empty()) out.model = std::move(model);
  if (const auto usage = member(body, "usage")) readUsage(*usage, out.usage);
}

void readChatCompletion(JsonValue body, Response& out) {
  readResponseHeader(body, out);
  const auto choices = arrayMember(body, "choices");
  if (!choices) return;
  const Cursor choicesAt = Cursor{}.child("choices");
  size_t position = 0;
  for (JsonValue choice : choices->elements()) {
    const size_t i = position++;
    if (const auto message = objectMember(choice, "message")) {
      appendContent(*message, out.text);
      appendString(*message, "refusal", out.text);
      readChatToolCalls(*message, choicesAt.child(i).child("message"), out);
    }
    setFinishReason(choice, out);
  }
}

void readTextCompletion(JsonValue body, Response& out) {
  readResponseHeader(body, out);
  const auto choices = arrayMember(body, "choices");
  if (!choices) return;
  for (JsonValue choice : choices->elements()) {
    appendString(choice, "text", out.text);
    setFinishReason(choice, out);
  }
}

void readResponseObject(JsonValue response, const Cursor* at, Response& out) {
  readResponseHeader(response, out);
  if (const auto output = arrayMember(response, "output")) {
    size_t position = 0;
    for (JsonValue item : output->elements()) {
      const size_t i = position++;
      const std::string type = stringOr(item, "type");
      const Cursor itemAt = at != nullptr ? at->child("output").child(i) : Cursor{};
      const Cursor* itemCursor = at != nullptr ? &itemAt : nullptr;
      if (type == "message") {
        if (const auto content = arrayMember(item, "content")) {
          for (JsonValue part : content->elements()) {
            appendString(part, "text", out.text);
            appendString(part, "refusal", out.text);
          }
        }
      } else if (type == "function_call") {
        out.toolCalls.push_back(toolCall(item, stringOr(item, "call_id"), "arguments", itemCursor));
      } else if (type == "custom_tool_call") {
        out.toolCalls.push_back(toolCall(item, stringOr(item, "call_id"), "input", itemCursor));
      }
    }
  }
  // No finish_reason here: a finished response is "completed", a cut one
  // says why ("max_output_tokens", "content_filter").
  std::string reason;
  if (const auto incomplete = objectMember(response, "incomplete_details")) reason = stringOr(*incomplete, "reason");
  if (reason.empty()) reason = stringOr(response, "status");
  if (!reason.empty()) out.finishReason = std::move(reason);
  if (auto error = errorMessageOf(response, false)) out.errorMessage = std::move(error);
}

}  // namespace warden::providers::openai
