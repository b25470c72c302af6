#include "providers/anthropic_request.h"

#include <optional>
#include <string>

#include "providers/base64_size.h"
#include "providers/field_reader.h"

namespace warden::providers {
namespace {

Role roleFrom(std::string_view role) {
  if (role == "user") return Role::User;
  if (role == "assistant") return Role::Assistant;
  return Role::Unknown;
}

// POST /v1/messages: system, messages of content blocks, tools.
class MessagesReader : FieldReader {
 public:
  Result<Request> read(JsonValue body);

 private:
  // A string the layers may inspect or rewrite, so it keeps its pointer.
  std::optional<TextRef> text(JsonValue object, std::string_view key, const std::string& at) {
    auto value = string(object, key, at);
    if (!value) return std::nullopt;
    return TextRef{std::move(*value), pointerAppend(at, key)};
  }

  void readSystem(JsonValue system, Request& request);
  void readMessage(JsonValue message, const std::string& at, Request& request);
  void readContent(JsonValue content, const std::string& at, Message& message, Request& request);
  void readBlock(JsonValue block, const std::string& at, Message& message, bool nested);
  // The blocks of the array `content` at `at`, none of them tool calls.
  void readNestedBlocks(JsonValue content, const std::string& at, Message& message);
  void readSource(JsonValue block, const std::string& at, Part& part, Message& message);
  void readToolResult(JsonValue block, const std::string& at, Request& request);
  void readToolCall(JsonValue block, const std::string& at, Message& message);
  void readTools(JsonValue tools, Request& request);
};

Result<Request> MessagesReader::read(JsonValue body) {
  Request request;
  request.provider = Provider::Anthropic;
  request.operation = Operation::Messages;
  request.model = string(body, "model", "").value_or("");
  request.maxOutputTokens = count(body, "max_tokens", "");
  request.temperature = number(body, "temperature", "");
  request.stream = boolean(body, "stream", "").value_or(false);
  if (const auto system = member(body, "system")) readSystem(*system, request);

  const auto messages = member(body, "messages");
  if (!messages || !messages->isArray()) {
    expected("/messages", "an array of messages");
  } else {
    size_t i = 0;
    for (JsonValue message : messages->elements()) readMessage(message, pointerAppend("/messages", i++), request);
  }
  if (const auto tools = member(body, "tools")) readTools(*tools, request);
  return result(std::move(request));
}

void MessagesReader::readSystem(JsonValue system, Request& request) {
  Message message;
  message.role = Role::System;
  if (system.isString()) {
    message.parts.push_back(Part{.kind = Part::Kind::Text, .text = {system.str(), "/system"}});
  } else if (system.isArray()) {
    readNestedBlocks(system, "/system", message);
  } else {
    expected("/system", "a string or an array of text blocks");
    return;
  }
  request.messages.push_back(std::move(message));
}

void MessagesReader::readMessage(JsonValue json, const std::string& at, Request& request) {
  if (!json.isObject()) return expected(at, "an object with role and content");
  Message message;
  if (const auto role = member(json, "role"); role && role->isString()) {
    message.role = roleFrom(role->string());
  } else {
    return expected(pointerAppend(at, "role"), "\"user\" or \"assistant\"");
  }
  const auto content = member(json, "content");
  const std::string contentAt = pointerAppend(at, "content");
  if (content && content->isString()) {
    message.parts.push_back(Part{.kind = Part::Kind::Text, .text = {content->str(), contentAt}});
    request.messages.push_back(std::move(message));
  } else if (content && content->isArray()) {
    readContent(*content, contentAt, message, request);
  } else {
    expected(contentAt, "a string or an array of blocks");
  }
}

// Tool results become messages of their own (Role::Tool), in the order they
// appear among the turn's other blocks.
void MessagesReader::readContent(JsonValue content, const std::string& at, Message& message, Request& request) {
  const Role role = message.role;
  size_t i = 0;
  for (JsonValue block : content.elements()) {
    const std::string blockAt = pointerAppend(at, i++);
    // string() is "" for a type that is not a string: that is read as a block.
    const auto type = member(block, "type");
    if (type && type->string() == "tool_result") {
      if (!message.parts.empty() || !message.toolCalls.empty()) {
        request.messages.push_back(std::move(message));
        message = Message{.role = role};
      }
      readToolResult(block, blockAt, request);
    } else {
      readBlock(block, blockAt, message, false);
    }
  }
  const bool onlyToolResults = !content.empty() && message.parts.empty() && message.toolCalls.empty();
  if (!onlyToolResults) request.messages.push_back(std::move(message));
}

// `nested`: inside a tool result or document, where tool calls cannot be.
void MessagesReader::readBlock(JsonValue block, const std::string& at, Message& message, bool nested) {
  if (!block.isObject()) return expected(at, "a content block object");
  const auto type = string(block, "type", at);
  if (!type) return expected(pointerAppend(at, "type"), "a string");

  Part part{.kind = Part::Kind::Other};
  if (*type == "text") {
    auto value = text(block, "text", at);
    if (!value) return expected(pointerAppend(at, "text"), "a string");
    part = Part{.kind = Part::Kind::Text, .text = std::move(*value)};
  } else if (*type == "image") {
    part.kind = Part::Kind::Image;
    readSource(block, at, part, message);
  } else if (*type == "document") {
    part.kind = Part::Kind::File;
    readSource(block, at, part, message);
    // Content given as blocks was read as parts of their own.
    if (part.kind != Part::Kind::Other) message.parts.push_back(std::move(part));
    // The title and context are read by the model along with the document.
    for (const char* key : {"title", "context"}) {
      if (auto value = text(block, key, at)) {
        message.parts.push_back(Part{.kind = Part::Kind::Text, .text = std::move(*value)});
      }
    }
    return;
  } else if (*type == "search_result") {
    // A search result the client supplies: its source, then the text the model reads.
    message.parts.push_back(Part{.kind = Part::Kind::File, .reference = string(block, "source", at).value_or("")});
    if (auto title = text(block, "title", at)) {
      message.parts.push_back(Part{.kind = Part::Kind::Text, .text = std::move(*title)});
    }
    const auto content = member(block, "content");
    if (!content || !content->isArray()) return expected(pointerAppend(at, "content"), "an array of text blocks");
    return readNestedBlocks(*content, pointerAppend(at, "content"), message);
  } else if ((*type == "tool_use" || *type == "server_tool_use" || *type == "mcp_tool_use") && !nested) {
    return readToolCall(block, at, message);
  } else if (*type == "thinking") {
    // Earlier reasoning sent back to the model: text, but not the turn's answer.
    if (auto thinking = text(block, "thinking", at)) part.text = std::move(*thinking);
  }
  message.parts.push_back(std::move(part));
}

void MessagesReader::readNestedBlocks(JsonValue content, const std::string& at, Message& message) {
  size_t i = 0;
  for (JsonValue block : content.elements()) readBlock(block, pointerAppend(at, i++), message, true);
}

// image and document sources: inline base64, inline text, nested content,
// a URL or an uploaded file.
void MessagesReader::readSource(JsonValue block, const std::string& at, Part& part, Message& message) {
  const auto source = member(block, "source");
  const std::string sourceAt = pointerAppend(at, "source");
  if (!source || !source->isObject()) return expected(sourceAt, "a source object");
  const auto type = string(*source, "type", sourceAt);
  if (!type) return expected(pointerAppend(sourceAt, "type"), "a string");
  part.mediaType = string(*source, "media_type", sourceAt).value_or("");
  if (*type == "base64") {
    const auto data = string(*source, "data", sourceAt);
    if (!data) return expected(pointerAppend(sourceAt, "data"), "base64 text");
    part.bytes = base64DecodedSize(*data);
  } else if (*type == "url") {
    part.reference = string(*source, "url", sourceAt).value_or("");
  } else if (*type == "file") {
    part.reference = string(*source, "file_id", sourceAt).value_or("");
  } else if (*type == "text") {
    auto data = text(*source, "data", sourceAt);
    if (!data) return expected(pointerAppend(sourceAt, "data"), "a string");
    part.kind = Part::Kind::Text;
    part.text = std::move(*data);
  } else if (*type == "content") {
    const auto content = member(*source, "content");
    const std::string contentAt = pointerAppend(sourceAt, "content");
    if (content && content->isString()) {
      part.kind = Part::Kind::Text;
      part.text = {content->str(), contentAt};
    } else if (content && content->isArray()) {
      readNestedBlocks(*content, contentAt, message);
      part.kind = Part::Kind::Other;
    } else {
      expected(contentAt, "a string or an array of blocks");
    }
  }
}

void MessagesReader::readToolResult(JsonValue block, const std::string& at, Request& request) {
  Message result{.role = Role::Tool};
  const auto id = string(block, "tool_use_id", at);
  if (!id) return expected(pointerAppend(at, "tool_use_id"), "a string");
  result.toolCallId = *id;
  const auto content = member(block, "content");
  const std::string contentAt = pointerAppend(at, "content");
  if (!content) {
    // A result without content is allowed (the tool returned nothing).
  } else if (content->isString()) {
    result.parts.push_back(Part{.kind = Part::Kind::Text, .text = {content->str(), contentAt}});
  } else if (content->isArray()) {
    readNestedBlocks(*content, contentAt, result);
  } else {
    return expected(contentAt, "a string or an array of blocks");
  }
  request.messages.push_back(std::move(result));
}

void MessagesReader::readToolCall(JsonValue block, const std::string& at, Message& message) {
  ToolCall call;
  call.id = string(block, "id", at).value_or("");
  const auto name = string(block, "name", at);
  if (!name) return expected(pointerAppend(at, "name"), "a string");
  call.name = *name;
  const auto input = member(block, "input");
  const std::string inputAt = pointerAppend(at, "input");
  if (input && !input->isObject()) return expected(inputAt, "an object");
  // No input given: the arguments are empty, and there is no string to point at.
  call.arguments = input ? TextRef{input->toJson(), inputAt} : TextRef{"{}", ""};
  message.toolCalls.push_back(std::move(call));
}

void MessagesReader::readTools(JsonValue tools, Request& request) {
  if (!tools.isArray()) return expected("/tools", "an array of tools");
  size_t i = 0;
  for (JsonValue tool : tools.elements()) {
    const std::string at = pointerAppend("/tools", i++);
    if (!tool.isObject()) return expected(at, "a tool object");
    ToolDefinition definition;
    const auto name = string(tool, "name", at);
    if (!name) return expected(pointerAppend(at, "name"), "a string");
    definition.name = *name;
    if (auto description = text(tool, "description", at)) definition.description = std::move(*description);
    // Client tools have no type (or "custom"); server tools are named by it.
    const std::string type = string(tool, "type", at).value_or("custom");
    definition.type = type == "custom" ? "function" : type;
    request.tools.push_back(std::move(definition));
  }
}

}  // namespace

Result<Request> parseAnthropicRequest(const Route&, std::string_view body, const ParseLimits& limits) {
  return readRequestObject(body, limits, [](JsonValue json) { return MessagesReader().read(json); });
}

}  // namespace warden::providers
