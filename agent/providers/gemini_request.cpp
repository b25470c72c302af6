#include "providers/gemini_request.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "providers/base64_size.h"
#include "providers/field_reader.h"

namespace warden::providers {
namespace {

Part::Kind kindOf(std::string_view mimeType) {
  if (mimeType.starts_with("image/")) return Part::Kind::Image;
  if (mimeType.starts_with("audio/")) return Part::Kind::Audio;
  return Part::Kind::File;
}

// A field found under either of its names, and where.
struct Field {
  std::optional<JsonValue> value;
  std::string pointer;
  explicit operator bool() const { return value.has_value(); }
  JsonValue operator*() const { return *value; }
  const JsonValue* operator->() const { return &*value; }
};

// The API accepts each field as lowerCamelCase or snake_case (the proto JSON
// mapping) and clients send either. Absent and JSON null mean "not given".
Field member(JsonValue object, const std::string& at, std::string_view camel, std::string_view snake = {}) {
  for (const std::string_view key : {camel, snake}) {
    if (key.empty()) continue;
    if (auto value = providers::member(object, key)) return {value, pointerAppend(at, key)};
  }
  return {};
}

// The elements of a repeated field with their pointers. The API's JSON
// mapping also takes a single value for a list, as its own examples send
// ("contents": {"parts": {"text": ...}}).
std::vector<std::pair<JsonValue, std::string>> elements(const Field& list) {
  std::vector<std::pair<JsonValue, std::string>> out;
  if (list->isArray()) {
    size_t i = 0;
    for (JsonValue element : list->elements()) out.emplace_back(element, pointerAppend(list.pointer, i++));
  } else {
    out.emplace_back(*list, list.pointer);
  }
  return out;
}

// The members of an object in key order, the order requests have always
// been read in (the first JSON library kept objects sorted): the text parts
// and built-in tools read from free-form objects keep to it, whatever order
// the client wrote them in.
std::vector<JsonMember> membersByKey(JsonValue object) {
  std::vector<JsonMember> out;
  out.reserve(object.size());
  for (const JsonMember& each : object.members()) out.push_back(each);
  std::sort(out.begin(), out.end(), [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; });
  return out;
}

// :generateContent and :streamGenerateContent: systemInstruction, contents
// of parts, tools, generationConfig.
class GenerateContentReader : FieldReader {
 public:
  Result<Request> read(const Route& route, JsonValue body);

 private:
  std::optional<std::string> string(const Field& field) { return FieldReader::string(field.value, field.pointer); }

  void readContent(JsonValue content, const std::string& at, Role defaultRole, Request& request);
  void readPart(JsonValue part, const std::string& at, Message& message);
  void readFunctionResponse(const Field& response, Request& request);
  void readData(const Field& data, bool isInline, Message& message);
  void collectStrings(JsonValue value, const std::string& at, Message& message);
  void readTools(const Field& tools, Request& request);
  void readGenerationConfig(const Field& config, Request& request);
};

Result<Request> GenerateContentReader::read(const Route& route, JsonValue body) {
  Request request;
  request.provider = Provider::Gemini;
  request.operation =
      route.operation == Operation::StreamGenerateContent ? route.operation : Operation::GenerateContent;
  request.model = route.modelFromPath;
  request.stream = route.streamFromPath || route.operation == Operation::StreamGenerateContent;
  if (const Field system = member(body, "", "systemInstruction", "system_instruction")) {
    if (system->isString()) {
      request.messages.push_back(Message{
          .role = Role::System, .parts = {Part{.kind = Part::Kind::Text, .text = {system->str(), system.pointer}}}});
    } else {
      readContent(*system, system.pointer, Role::System, request);
    }
  }
  const Field contents = member(body, "", "contents");
  if (!contents || !(contents->isArray() || contents->isObject())) {
    expected("/contents", "an array of contents");
  } else {
    for (const auto& [content, at] : elements(contents)) readContent(content, at, Role::User, request);
  }
  readTools(member(body, "", "tools"), request);
  readGenerationConfig(member(body, "", "generationConfig", "generation_config"), request);
  return result(std::move(request));
}

// One Content ({role, parts}). Function responses become messages of their
// own (Role::Tool), in the order they appear among the other parts.
void GenerateContentReader::readContent(JsonValue content, const std::string& at, Role defaultRole, Request& request) {
  if (!content.isObject()) return expected(at, "an object with role and parts");
  Role role = defaultRole;
  if (defaultRole != Role::System) {
    if (const auto name = string(member(content, at, "role"))) {
      role = *name == "user"       ? Role::User
             : *name == "model"    ? Role::Assistant
             : *name == "function" ? Role::Tool
                                   : Role::Unknown;
    }
  }
  const Field parts = member(content, at, "parts");
  if (!parts || !(parts->isArray() || parts->isObject())) {
    return expected(pointerAppend(at, "parts"), "an array of parts");
  }

  Message message{.role = role};
  const auto list = elements(parts);
  for (const auto& [part, partAt] : list) {
    const Field response = part.isObject() ? member(part, partAt, "functionResponse", "function_response") : Field{};
    if (response) {
      if (!message.parts.empty() || !message.toolCalls.empty()) {
        request.messages.push_back(std::move(message));
        message = Message{.role = role};
      }
      readFunctionResponse(response, request);
    } else {
      readPart(part, partAt, message);
    }
  }
  const bool onlyResponses = !list.empty() && message.parts.empty() && message.toolCalls.empty();
  if (!onlyResponses) request.messages.push_back(std::move(message));
}

void GenerateContentReader::readPart(JsonValue part, const std::string& at, Message& message) {
  if (!part.isObject()) return expected(at, "a part object");
  if (const Field text = member(part, at, "text")) {
    if (!text->isString()) return expected(text.pointer, "a string");
    const Field thought = member(part, at, "thought");
    // A thought summary sent back: text, but not the turn's answer.
    const bool isThought = thought && thought->isBool() && thought->boolean();
    message.parts.push_back(
        Part{.kind = isThought ? Part::Kind::Other : Part::Kind::Text, .text = {text->str(), text.pointer}});
  } else if (const Field data = member(part, at, "inlineData", "inline_data")) {
    readData(data, true, message);
  } else if (const Field file = member(part, at, "fileData", "file_data")) {
    readData(file, false, message);
  } else if (const Field call = member(part, at, "functionCall", "function_call")) {
    if (!call->isObject()) return expected(call.pointer, "an object with name and args");
    ToolCall toolCall;
    toolCall.id = string(member(*call, call.pointer, "id")).value_or("");
    const auto name = string(member(*call, call.pointer, "name"));
    if (!name) return expected(pointerAppend(call.pointer, "name"), "a string");
    toolCall.name = *name;
    const Field args = member(*call, call.pointer, "args");
    if (args && !args->isObject()) return expected(args.pointer, "an object");
    toolCall.arguments = args ? TextRef{args->toJson(), args.pointer} : TextRef{"{}", ""};
    message.toolCalls.push_back(std::move(toolCall));
  } else if (const Field code = member(part, at, "executableCode", "executable_code")) {
    Part other{.kind = Part::Kind::Other};
    if (code->isObject()) {
      if (auto text = string(member(*code, code.pointer, "code")))
        other.text = {*text, pointerAppend(code.pointer, "code")};
    }
    message.parts.push_back(std::move(other));
  } else if (const Field result = member(part, at, "codeExecutionResult", "code_execution_result")) {
    Part other{.kind = Part::Kind::Other};
    if (result->isObject()) {
      if (auto text = string(member(*result, result.pointer, "output"))) {
        other.text = {*text, pointerAppend(result.pointer, "output")};
      }
    }
    message.parts.push_back(std::move(other));
  } else {
    message.parts.push_back(Part{.kind = Part::Kind::Other});
  }
}

// inlineData {mimeType, data} or fileData {mimeType, fileUri}.
void GenerateContentReader::readData(const Field& data, bool isInline, Message& message) {
  if (!data->isObject()) return expected(data.pointer, "an object");
  Part part;
  part.mediaType = string(member(*data, data.pointer, "mimeType", "mime_type")).value_or("");
  part.kind = kindOf(part.mediaType);
  if (isInline) {
    const auto bytes = string(member(*data, data.pointer, "data"));
    if (!bytes) return expected(pointerAppend(data.pointer, "data"), "base64 text");
    part.bytes = base64DecodedSize(*bytes);
  } else {
    const auto uri = string(member(*data, data.pointer, "fileUri", "file_uri"));
    if (!uri) return expected(pointerAppend(data.pointer, "fileUri"), "a string");
    part.reference = *uri;
  }
  message.parts.push_back(std::move(part));
}

// functionResponse {name, id, response: {...}}: what the tool returned is
// free-form JSON; each string in it is a text part the model will read.
void GenerateContentReader::readFunctionResponse(const Field& response, Request& request) {
  if (!response->isObject()) return expected(response.pointer, "an object with name and response");
  Message result{.role = Role::Tool};
  result.toolCallId = string(member(*response, response.pointer, "id")).value_or("");
  result.name = string(member(*response, response.pointer, "name")).value_or("");
  const Field value = member(*response, response.pointer, "response");
  if (value) {
    if (!value->isObject()) return expected(value.pointer, "an object");
    collectStrings(*value, value.pointer, result);
  }
  request.messages.push_back(std::move(result));
}

// Depth is bounded by the parse limit.
void GenerateContentReader::collectStrings(JsonValue value, const std::string& at, Message& message) {
  if (value.isString()) {
    message.parts.push_back(Part{.kind = Part::Kind::Text, .text = {value.str(), at}});
  } else if (value.isObject()) {
    for (const auto& [key, item] : membersByKey(value)) collectStrings(item, pointerAppend(at, key), message);
  } else if (value.isArray()) {
    size_t i = 0;
    for (JsonValue item : value.elements()) collectStrings(item, pointerAppend(at, i++), message);
  }
}

// tools: [{functionDeclarations: [...]}, {googleSearch: {}}, {codeExecution: {}}, ...]
void GenerateContentReader::readTools(const Field& tools, Request& request) {
  if (!tools) return;
  if (!tools->isArray()) return expected(tools.pointer, "an array of tools");
  size_t i = 0;
  for (JsonValue tool : tools->elements()) {
    const std::string at = pointerAppend(tools.pointer, i++);
    if (!tool.isObject()) return expected(at, "a tool object");
    for (const auto& [key, value] : membersByKey(tool)) {
      if (key != "functionDeclarations" && key != "function_declarations") {
        request.tools.push_back(ToolDefinition{.name = std::string(key), .type = std::string(key)});  // a built-in tool
        continue;
      }
      const std::string declarationsAt = pointerAppend(at, key);
      if (!value.isArray()) return expected(declarationsAt, "an array of function declarations");
      size_t j = 0;
      for (JsonValue declaration : value.elements()) {
        const std::string declarationAt = pointerAppend(declarationsAt, j++);
        if (!declaration.isObject()) return expected(declarationAt, "an object with name and description");
        ToolDefinition definition{.type = "function"};
        const auto name = string(member(declaration, declarationAt, "name"));
        if (!name) return expected(pointerAppend(declarationAt, "name"), "a string");
        definition.name = *name;
        const Field description = member(declaration, declarationAt, "description");
        if (const auto text = string(description)) definition.description = {*text, description.pointer};
        request.tools.push_back(std::move(definition));
      }
    }
  }
}

void GenerateContentReader::readGenerationConfig(const Field& config, Request& request) {
  if (!config) return;
  if (!config->isObject()) return expected(config.pointer, "an object");
  const Field maxTokens = member(*config, config.pointer, "maxOutputTokens", "max_output_tokens");
  request.maxOutputTokens = count(maxTokens.value, maxTokens.pointer);
  const Field temperature = member(*config, config.pointer, "temperature");
  request.temperature = number(temperature.value, temperature.pointer);
}

}  // namespace

Result<Request> parseGeminiRequest(const Route& route, std::string_view body, const ParseLimits& limits) {
  return readRequestObject(body, limits,
                           [&route](JsonValue json) { return GenerateContentReader().read(route, json); });
}

}  // namespace warden::providers
