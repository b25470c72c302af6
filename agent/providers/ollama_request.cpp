#include "providers/ollama_request.h"

#include <optional>
#include <string>

#include "providers/base64_size.h"
#include "providers/field_reader.h"

namespace warden::providers {
namespace {

Role roleFrom(std::string_view role) {
  if (role == "system") return Role::System;
  if (role == "user") return Role::User;
  if (role == "assistant") return Role::Assistant;
  if (role == "tool") return Role::Tool;
  return Role::Unknown;
}

// /api/chat and /api/generate, and their options.
class OllamaReader : FieldReader {
 public:
  Result<Request> read(const Route& route, JsonValue body);

 private:
  // A string the layers may inspect or rewrite, as a part that keeps its pointer.
  void textPart(JsonValue object, std::string_view key, const std::string& at, Message& message,
                Part::Kind kind = Part::Kind::Text) {
    if (auto value = string(object, key, at)) {
      message.parts.push_back(Part{.kind = kind, .text = {std::move(*value), pointerAppend(at, key)}});
    }
  }

  void readChat(JsonValue body, Request& request);
  void readGenerate(JsonValue body, Request& request);
  void readImages(JsonValue object, const std::string& at, Message& message);
  void readToolCalls(JsonValue calls, const std::string& at, Message& message);
  void readTools(JsonValue tools, Request& request);
  void readOptions(JsonValue options, Request& request);
};

Result<Request> OllamaReader::read(const Route& route, JsonValue body) {
  Request request;
  request.provider = Provider::Ollama;
  request.operation = route.operation == Operation::OllamaGenerate ? route.operation : Operation::OllamaChat;
  request.model = string(body, "model", "").value_or("");
  request.stream = boolean(body, "stream", "").value_or(true);  // Ollama streams unless told not to
  if (const auto options = member(body, "options")) readOptions(*options, request);
  if (request.operation == Operation::OllamaGenerate) {
    readGenerate(body, request);
  } else {
    readChat(body, request);
  }
  return result(std::move(request));
}

// /api/chat: {messages: [{role, content, images, tool_calls, thinking}], tools}.
// A request without messages only loads the model.
void OllamaReader::readChat(JsonValue body, Request& request) {
  if (const auto messages = member(body, "messages")) {
    if (!messages->isArray()) return expected("/messages", "an array of messages");
    size_t i = 0;
    for (const JsonValue json : messages->elements()) {
      const std::string at = pointerAppend("/messages", i++);
      if (!json.isObject()) return expected(at, "an object with role and content");
      Message message;
      const auto role = string(json, "role", at);
      if (!role) return expected(pointerAppend(at, "role"), "a string");
      message.role = roleFrom(*role);
      message.name = string(json, "tool_name", at).value_or(string(json, "name", at).value_or(""));
      message.toolCallId = string(json, "tool_call_id", at).value_or("");
      textPart(json, "content", at, message);
      // Earlier reasoning sent back to the model: text, but not the turn's answer.
      textPart(json, "thinking", at, message, Part::Kind::Other);
      readImages(json, at, message);
      if (const auto calls = member(json, "tool_calls"))
        readToolCalls(*calls, pointerAppend(at, "tool_calls"), message);
      request.messages.push_back(std::move(message));
    }
  }
  if (const auto tools = member(body, "tools")) readTools(*tools, request);
}

// /api/generate: {prompt, suffix, system, images}: the system prompt, then
// one user turn.
void OllamaReader::readGenerate(JsonValue body, Request& request) {
  Message system{.role = Role::System};
  textPart(body, "system", "", system);
  if (!system.parts.empty()) request.messages.push_back(std::move(system));
  Message user{.role = Role::User};
  textPart(body, "prompt", "", user);
  textPart(body, "suffix", "", user);
  readImages(body, "", user);
  if (!user.parts.empty()) request.messages.push_back(std::move(user));
}

// images: ["<base64>", ...]; Ollama does not name the format.
void OllamaReader::readImages(JsonValue object, const std::string& at, Message& message) {
  const auto images = member(object, "images");
  if (!images) return;
  const std::string imagesAt = pointerAppend(at, "images");
  if (!images->isArray()) return expected(imagesAt, "an array of base64 strings");
  size_t i = 0;
  for (const JsonValue image : images->elements()) {
    if (!image.isString()) return expected(pointerAppend(imagesAt, i), "a base64 string");
    message.parts.push_back(Part{.kind = Part::Kind::Image, .bytes = base64DecodedSize(image.string())});
    ++i;
  }
}

// tool_calls: [{id?, function: {name, arguments: {...}}}]
void OllamaReader::readToolCalls(JsonValue calls, const std::string& at, Message& message) {
  if (!calls.isArray()) return expected(at, "an array of tool calls");
  size_t i = 0;
  for (const JsonValue call : calls.elements()) {
    const std::string callAt = pointerAppend(at, i++);
    if (!call.isObject()) return expected(callAt, "an object with a function");
    const auto function = member(call, "function");
    const std::string functionAt = pointerAppend(callAt, "function");
    if (!function || !function->isObject()) return expected(functionAt, "an object with name and arguments");
    ToolCall toolCall;
    toolCall.id = string(call, "id", callAt).value_or("");
    const auto name = string(*function, "name", functionAt);
    if (!name) return expected(pointerAppend(functionAt, "name"), "a string");
    toolCall.name = *name;
    const auto arguments = member(*function, "arguments");
    const std::string argumentsAt = pointerAppend(functionAt, "arguments");
    if (arguments && !arguments->isObject()) return expected(argumentsAt, "an object");
    toolCall.arguments = arguments ? TextRef{arguments->toJson(), argumentsAt} : TextRef{"{}", ""};
    message.toolCalls.push_back(std::move(toolCall));
  }
}

// tools: [{type: "function", function: {name, description, parameters}}]
void OllamaReader::readTools(JsonValue tools, Request& request) {
  if (!tools.isArray()) return expected("/tools", "an array of tools");
  size_t i = 0;
  for (const JsonValue tool : tools.elements()) {
    const std::string at = pointerAppend("/tools", i++);
    if (!tool.isObject()) return expected(at, "a tool object");
    const auto function = member(tool, "function");
    const std::string functionAt = pointerAppend(at, "function");
    if (!function || !function->isObject())
      return expected(functionAt, "an object with name and description");
    ToolDefinition definition;
    definition.type = string(tool, "type", at).value_or("function");
    const auto name = string(*function, "name", functionAt);
    if (!name) return expected(pointerAppend(functionAt, "name"), "a string");
    definition.name = *name;
    if (auto description = string(*function, "description", functionAt)) {
      definition.description = {std::move(*description), pointerAppend(functionAt, "description")};
    }
    request.tools.push_back(std::move(definition));
  }
}

// options: {temperature, num_predict}; num_predict -1 (no limit) and -2
// (fill the context) set no cap.
void OllamaReader::readOptions(JsonValue options, Request& request) {
  if (!options.isObject()) return expected("/options", "an object");
  request.temperature = number(options, "temperature", "/options");
  if (const auto predict = member(options, "num_predict")) {
    if (!predict->isInteger()) return expected("/options/num_predict", "an integer");
    if (predict->isCount()) request.maxOutputTokens = *predict->count();
  }
}

}  // namespace

Result<Request> parseOllamaRequest(const Route& route, std::string_view body, const ParseLimits& limits) {
  return readRequestObject(body, limits, [&route](JsonValue json) { return OllamaReader().read(route, json); });
}

}  // namespace warden::providers
