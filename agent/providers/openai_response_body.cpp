// The fields of whole OpenAI response objects. Upstream replies are read
// leniently: a field of an unexpected type is skipped, not fatal, since the
// reply is relayed whatever it holds.
#include "providers/openai_response.h"

namespace warden::providers::openai {
namespace {

const Json* arrayMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_array() ? value : nullptr;
}

const Json* objectMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_object() ? value : nullptr;
}

void appendString(const Json& object, std::string_view key, std::string& out) {
  const Json* value = member(object, key);
  if (value != nullptr && value->is_string()) out += value->get_ref<const std::string&>();
}

// Content is a string from OpenAI; some compatible servers send parts.
void appendContent(const Json& message, std::string& out) {
  const Json* content = member(message, "content");
  if (content == nullptr) return;
  if (content->is_string()) {
    out += content->get_ref<const std::string&>();
  } else if (content->is_array()) {
    for (const Json& part : *content) appendString(part, "text", out);
  }
}

ToolCall toolCall(const Json& body, std::string id, const std::string& argumentsKey, const Cursor* at) {
  ToolCall call;
  call.id = std::move(id);
  call.name = stringOr(body, "name");
  call.arguments.text = stringOr(body, argumentsKey);
  if (at != nullptr) call.arguments.pointer = at->child(argumentsKey).pointer();
  return call;
}

void readChatToolCalls(const Json& message, const Cursor& at, Response& out) {
  if (const Json* calls = arrayMember(message, "tool_calls")) {
    for (size_t j = 0; j < calls->size(); ++j) {
      const Json& call = (*calls)[j];
      const bool custom = stringOr(call, "type") == "custom";
      const char* bodyKey = custom ? "custom" : "function";
      const Json* body = objectMember(call, bodyKey);
      if (body == nullptr) continue;
      const Cursor bodyAt = at.child("tool_calls").child(j).child(bodyKey);
      out.toolCalls.push_back(toolCall(*body, stringOr(call, "id"), custom ? "input" : "arguments", &bodyAt));
    }
  }
  if (const Json* legacy = objectMember(message, "function_call")) {
    const Cursor legacyAt = at.child("function_call");
    out.toolCalls.push_back(toolCall(*legacy, {}, "arguments", &legacyAt));
  }
}

void setFinishReason(const Json& choice, Response& out) {
  if (out.finishReason.empty()) out.finishReason = stringOr(choice, "finish_reason");
}

}  // namespace

void readUsage(const Json& usage, Usage& out) {
  if (!usage.is_object()) return;
  if (auto n = countOf(member(usage, "prompt_tokens"))) out.inputTokens = n;
  if (auto n = countOf(member(usage, "input_tokens"))) out.inputTokens = n;
  if (auto n = countOf(member(usage, "completion_tokens"))) out.outputTokens = n;
  if (auto n = countOf(member(usage, "output_tokens"))) out.outputTokens = n;
}

std::optional<std::string> errorMessageOf(const Json& body, bool errorStatus) {
  if (!body.is_object()) return std::nullopt;
  if (const Json* error = member(body, "error")) {
    if (error->is_string()) return error->get<std::string>();
    if (error->is_object()) {
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

void readResponseHeader(const Json& body, Response& out) {
  if (!body.is_object()) return;
  if (std::string id = stringOr(body, "id"); !id.empty()) out.id = std::move(id);
  if (std::string model = stringOr(body, "model"); !model.empty()) out.model = std::move(model);
  if (const Json* usage = member(body, "usage")) readUsage(*usage, out.usage);
}

void readChatCompletion(const Json& body, Response& out) {
  readResponseHeader(body, out);
  const Json* choices = arrayMember(body, "choices");
  if (choices == nullptr) return;
  const Cursor choicesAt = Cursor{}.child("choices");
  for (size_t i = 0; i < choices->size(); ++i) {
    const Json& choice = (*choices)[i];
    if (const Json* message = objectMember(choice, "message")) {
      appendContent(*message, out.text);
      appendString(*message, "refusal", out.text);
      readChatToolCalls(*message, choicesAt.child(i).child("message"), out);
    }
    setFinishReason(choice, out);
  }
}

void readTextCompletion(const Json& body, Response& out) {
  readResponseHeader(body, out);
  const Json* choices = arrayMember(body, "choices");
  if (choices == nullptr) return;
  for (const Json& choice : *choices) {
    appendString(choice, "text", out.text);
    setFinishReason(choice, out);
  }
}

void readResponseObject(const Json& response, const Cursor* at, Response& out) {
  readResponseHeader(response, out);
  if (const Json* output = arrayMember(response, "output")) {
    for (size_t i = 0; i < output->size(); ++i) {
      const Json& item = (*output)[i];
      const std::string type = stringOr(item, "type");
      const Cursor itemAt = at != nullptr ? at->child("output").child(i) : Cursor{};
      const Cursor* itemCursor = at != nullptr ? &itemAt : nullptr;
      if (type == "message") {
        if (const Json* content = arrayMember(item, "content")) {
          for (const Json& part : *content) {
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
  if (const Json* incomplete = objectMember(response, "incomplete_details")) reason = stringOr(*incomplete, "reason");
  if (reason.empty()) reason = stringOr(response, "status");
  if (!reason.empty()) out.finishReason = std::move(reason);
  if (auto error = errorMessageOf(response, false)) out.errorMessage = std::move(error);
}

}  // namespace warden::providers::openai
