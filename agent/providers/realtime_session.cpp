// The Realtime API's events, under their GA ("gpt-realtime") and beta names
// alike. Client events are read strictly, as request bodies are: each one is
// judged before it is relayed, so a field of a type the API does not take is
// refused rather than skipped past. Server events are read leniently, as
// response streams are: the bytes are relayed regardless.
#include "providers/realtime_session.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "providers/adapter.h"
#include "providers/base64_size.h"
#include "providers/json_body.h"
#include "providers/json_fields.h"
#include "providers/openai_cursor.h"
#include "providers/openai_media.h"
#include "providers/openai_parts.h"
#include "providers/openai_stream_assembly.h"

namespace warden::providers {
namespace {

using openai::Cursor;

// ---- The WebSocket upgrade request

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int hi = text[i] == '%' && i + 2 < text.size() ? hexValue(text[i + 1]) : -1;
    const int lo = hi >= 0 ? hexValue(text[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The query parameter `key` of `target`, decoded. One given twice with
// different values names no model (""): servers differ in which one they
// take, and a policy must not judge the other one.
std::optional<std::string> queryValue(std::string_view target, std::string_view key) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  std::optional<std::string> found;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const size_t equals = param.find('=');
    if (percentDecode(param.substr(0, equals)) == key) {
      std::string value = equals == std::string_view::npos ? std::string() : percentDecode(param.substr(equals + 1));
      if (found && *found != value) return std::string();
      found = std::move(value);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return found;
}

// Azure names a deployment; its v1 API (and a gateway in front of it) may
// name the model instead.
std::string deploymentOf(std::string_view target) {
  if (auto deployment = queryValue(target, "deployment")) return *deployment;
  return queryValue(target, "model").value_or("");
}

bool endsWith(const std::vector<std::string>& path, std::initializer_list<std::string_view> tail) {
  return path.size() >= tail.size() &&
         std::equal(tail.begin(), tail.end(), path.end() - static_cast<ptrdiff_t>(tail.size()));
}

bool equals(const std::vector<std::string>& path, std::initializer_list<std::string_view> expected) {
  return path.size() == expected.size() && endsWith(path, expected);
}

Route realtimeRouteOf(Provider provider, std::string model) {
  Route route;
  route.provider = provider;
  route.operation = Operation::Realtime;
  route.modelFromPath = std::move(model);
  return route;
}

// ---- Client events

// What one client event adds to the conversation.
struct ClientRead {
  Request request;
  bool limitGiven = false;  // it named max output tokens ("inf" included)
  bool unread = false;      // it holds an item or part of a type not read here
};

// Events that carry no text; an audio append only its size, which nothing
// judges per chunk.
constexpr std::array<std::string_view, 9> kContentFreeEvents{
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "output_audio_buffer.clear",
    "response.cancel",
    "conversation.item.truncate",
    "conversation.item.delete",
    "conversation.item.retrieve",
    "transcription_session.update",
};

// input_audio (the user's), audio (beta assistant) and output_audio (GA
// assistant): base64 audio, counted, and the transcript when one is given.
Result<Part> readRealtimeAudio(JsonValue part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Audio;
  auto audio = openai::optionalString(part, at, "audio");
  if (!audio) return audio.error();
  auto transcript = openai::optionalString(part, at, "transcript");
  if (!transcript) return transcript.error();
  if (*audio) out.bytes = base64DecodedSize(**audio);
  if (*transcript) out.text = at.child("transcript").text(**transcript);
  return out;
}

// input_image: a data: URL in practice.
Result<Part> readRealtimeImage(JsonValue part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Image;
  auto url = openai::optionalString(part, at, "image_url");
  if (!url) return url.error();
  if (*url) openai::setMediaFromUrl(out, **url);
  return out;
}

Result<Part> readPart(JsonValue part, const Cursor& at, ClientRead& read) {
  auto type = openai::readPartType(part, at);
  if (!type) return type.error();
  const std::string_view kind = *type;
  if (kind == "input_text" || kind == "text" || kind == "output_text") return openai::readTextPart(part, at, "text");
  if (kind == "input_audio" || kind == "audio" || kind == "output_audio") return readRealtimeAudio(part, at);
  if (kind == "input_image") return readRealtimeImage(part, at);
  // A reference names an item the server already holds; anything else may
  // carry text this reader cannot see.
  if (kind != "item_reference") read.unread = true;
  Part other;
  other.kind = Part::Kind::Other;
  return other;
}

Status readMessageItem(JsonValue item, const Cursor& at, ClientRead& read) {
  auto role = openai::requiredString(item, at, "role");
  if (!role) return role.error();
  Message message;
  message.role = openai::messageRole(*role);
  const auto readOne = [&read](JsonValue part, const Cursor& partAt) { return readPart(part, partAt, read); };
  if (auto status = openai::readList(item, at, "content", readOne, message.parts); !status) return status;
  read.request.messages.push_back(std::move(message));
  return {};
}

// An earlier assistant turn asking for a tool, replayed into the conversation.
Status readCallItem(JsonValue item, const Cursor& at, ClientRead& read) {
  auto id = openai::optionalString(item, at, "call_id");
  if (!id) return id.error();
  auto name = openai::optionalString(item, at, "name");
  if (!name) return name.error();
  auto arguments = openai::optionalString(item, at, "arguments");
  if (!arguments) return arguments.error();
  ToolCall call;
  if (*id) call.id = **id;
  if (*name) call.name = **name;
  if (*arguments) call.arguments = at.child("arguments").text(**arguments);
  Message message;
  message.role = Role::Assistant;
  message.toolCalls.push_back(std::move(call));
  read.request.messages.push_back(std::move(message));
  return {};
}

// What a tool gave back, for the model to read.
Status readOutputItem(JsonValue item, const Cursor& at, ClientRead& read) {
  auto id = openai::optionalString(item, at, "call_id");
  if (!id) return id.error();
  auto output = openai::optionalString(item, at, "output");
  if (!output) return output.error();
  Message message;
  message.role = Role::Tool;
  if (*id) message.toolCallId = **id;
  if (*output) message.parts.push_back(openai::textPart(at.child("output"), **output));
  read.request.messages.push_back(std::move(message));
  return {};
}

Status readItem(JsonValue item, const Cursor& at, ClientRead& read) {
  if (!item.isObject()) return at.expected("an item object");
  auto type = openai::optionalString(item, at, "type");
  if (!type) return type.error();
  const std::string_view kind = type->value_or("message");
  if (kind == "message") return readMessageItem(item, at, read);
  if (kind == "function_call") return readCallItem(item, at, read);
  if (kind == "function_call_output") return readOutputItem(item, at, read);
  if (kind != "item_reference") read.unread = true;  // MCP approvals and later item types
  return {};
}

Status readItems(JsonValue object, const Cursor& at, std::string_view key, ClientRead& read) {
  auto items = openai::optionalArray(object, at, key);
  if (!items) return items.error();
  if (!*items) return {};
  const Cursor itemsAt = at.child(key);
  size_t i = 0;
  for (JsonValue item : (*items)->elements()) {
    if (auto status = readItem(item, itemsAt.child(i++), read); !status) return status;
  }
  return {};
}

// A function is described by the client; an MCP server by its label and
// description. Built-in tools carry only their type.
Result<ToolDefinition> readTool(JsonValue tool, const Cursor& at) {
  if (!tool.isObject()) return at.expected("a tool object");
  auto type = openai::requiredString(tool, at, "type");
  if (!type) return type.error();
  ToolDefinition out;
  out.type = *type;
  const bool function = out.type == "function";
  if (!function && out.type != "mcp") return out;
  const std::string_view nameKey = function ? "name" : "server_label";
  const std::string_view descriptionKey = function ? "description" : "server_description";
  auto name = openai::optionalString(tool, at, nameKey);
  if (!name) return name.error();
  if (function && !*name) return at.child(nameKey).expected("a string (it is required)");
  auto description = openai::optionalString(tool, at, descriptionKey);
  if (!description) return description.error();
  if (*name) out.name = **name;
  if (*description) out.description = at.child(descriptionKey).text(**description);
  return out;
}

// max_output_tokens (GA) or max_response_output_tokens (beta): a count, or
// "inf" for no limit.
Status readOutputLimit(JsonValue object, const Cursor& at, ClientRead& read) {
  for (const std::string_view key : {"max_output_tokens", "max_response_output_tokens"}) {
    const auto value = member(object, key);
    if (!value) continue;
    read.limitGiven = true;
    if (value->isString() && value->string() == "inf") {
      read.request.maxOutputTokens.reset();
    } else if (const auto count = openai::countOf(value)) {
      read.request.maxOutputTokens = count;
    } else {
      return at.child(key).expected("a non-negative integer or \"inf\"");
    }
  }
  return {};
}

// What session.update's session and response.create's response share.
Status readSettings(JsonValue object, const Cursor& at, ClientRead& read) {
  auto instructions = openai::optionalString(object, at, "instructions");
  if (!instructions) return instructions.error();
  if (*instructions) {
    Message system;
    system.role = Role::System;
    system.parts.push_back(openai::textPart(at.child("instructions"), **instructions));
    read.request.messages.push_back(std::move(system));
  }
  if (auto status = openai::readList(object, at, "tools", readTool, read.request.tools); !status) return status;
  const auto readVariable = [&read](JsonValue part, const Cursor& partAt) { return readPart(part, partAt, read); };
  if (auto status = openai::readPromptVariables(object, at, readVariable, read.request); !status) return status;
  if (auto status = readOutputLimit(object, at, read); !status) return status;
  auto temperature = openai::optionalNumber(object, at, "temperature");  // beta only
  if (!temperature) return temperature.error();
  read.request.temperature = *temperature;
  return {};
}

Status readSessionUpdate(JsonValue event, const Cursor& root, ClientRead& read) {
  auto session = openai::requiredObject(event, root, "session");
  if (!session) return session.error();
  const Cursor at = root.child("session");
  auto model = openai::optionalString(*session, at, "model");
  if (!model) return model.error();
  if (*model) read.request.model = **model;
  return readSettings(*session, at, read);
}

// A response with no body answers from the conversation as it stands; one
// with `input` adds those items to it (or, out of band, answers from them
// alone).
Status readResponseCreate(JsonValue event, const Cursor& root, ClientRead& read) {
  auto response = openai::optionalObject(event, root, "response");
  if (!response) return response.error();
  if (!*response) return {};
  const Cursor at = root.child("response");
  if (auto status = readSettings(**response, at, read); !status) return status;
  return readItems(**response, at, "input", read);
}

Status readClientEvent(std::string_view type, JsonValue event, ClientRead& read) {
  const Cursor root;
  if (type == "session.update") return readSessionUpdate(event, root, read);
  if (type == "response.create") return readResponseCreate(event, root, read);
  if (type == "conversation.item.create") {
    auto item = openai::requiredObject(event, root, "item");
    if (!item) return item.error();
    return readItem(*item, root.child("item"), read);
  }
  if (std::find(kContentFreeEvents.begin(), kContentFreeEvents.end(), type) == kContentFreeEvents.end()) {
    read.unread = true;
  }
  return {};
}

// A parsed event: a JSON object with a string "type".
Result<JsonDocument> parseEvent(std::string_view json) {
  auto document = parseJsonBody(json, ParseLimits{}.maxDepth);
  if (!document) return document.error();
  const JsonValue root = document->root();
  if (!root.isObject()) return Error{std::string("expected a JSON object, not ") + root.typeName()};
  const auto type = member(root, "type");
  if (!type || !type->isString()) return Error{"the event has no string \"type\""};
  return document;
}

void addTokens(std::optional<uint64_t>& total, std::optional<uint64_t> more) {
  if (more) total = total.value_or(0) + *more;
}

}  // namespace

std::optional<Route> realtimeRoute(std::string_view host, std::string_view target) {
  const std::vector<std::string> path = routingPath(target);
  switch (const Provider provider = providerForHost(host)) {
    case Provider::OpenAI:
      if (equals(path, {"v1", "realtime"})) return realtimeRouteOf(provider, queryValue(target, "model").value_or(""));
      return std::nullopt;
    case Provider::AzureOpenAI:
      if (equals(path, {"openai", "realtime"})) return realtimeRouteOf(provider, deploymentOf(target));
      if (equals(path, {"openai", "v1", "realtime"})) {
        return realtimeRouteOf(provider, queryValue(target, "model").value_or(""));
      }
      return std::nullopt;
    case Provider::Unknown:
      // A gateway may put its own prefix first, as route() allows.
      if (endsWith(path, {"v1", "realtime"})) {
        return realtimeRouteOf(provider, queryValue(target, "model").value_or(""));
      }
      if (endsWith(path, {"openai", "realtime"})) return realtimeRouteOf(provider, deploymentOf(target));
      return std::nullopt;
    case Provider::Anthropic:
    case Provider::Gemini:
    case Provider::Ollama:
      return std::nullopt;
  }
  return std::nullopt;
}

// ---- Server events

struct RealtimeSession::Output {
  explicit Output(size_t limit) : budget(limit), text(response.text, budget), toolCalls(response.toolCalls) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void read(std::string_view type, JsonValue event);

  Response response;
  TextBudget budget;
  openai::OrderedText text;
  openai::ToolCallAssembly toolCalls;
  // Response id -> the order it was first seen in. Entries leave at
  // response.done, so only responses under way are held.
  std::map<std::string, uint64_t, std::less<>> responseOrder;
  uint64_t nextResponse = 1;
  uint64_t latestResponse = 0;  // for events that name no response
  bool faulty = false;          // the event had a field of the wrong type

 private:
  static constexpr uint64_t kMaxIndex = std::numeric_limits<uint32_t>::max();
  static constexpr size_t kMaxToolCalls = 1024;
  static constexpr size_t kMaxResponsesUnderWay = 64;

  uint64_t orderOf(std::string_view id);
  uint64_t orderOfEvent(JsonValue event) { return orderOf(stringMember(event, "response_id").value_or("")); }
  // (response, output item << 32 | content part): text of several
  // responses and parts reads in the order they were created.
  static openai::StreamKey key(uint64_t response, uint64_t item, uint64_t part) {
    return {response, std::min(item, kMaxIndex) << 32 | std::min(part, kMaxIndex)};
  }
  static openai::StreamKey keyOfEvent(uint64_t response, JsonValue event) {
    return key(response, openai::countOf(member(event, "output_index")).value_or(0),
               openai::countOf(member(event, "content_index")).value_or(0));
  }
  ToolCall* callOf(uint64_t response, JsonValue event) {
    return callAt({response, openai::countOf(member(event, "output_index")).value_or(0)});
  }
  // Calls past the bound are not kept, as text past the budget is not.
  ToolCall* callAt(openai::StreamKey key) {
    return response.toolCalls.size() < kMaxToolCalls ? &toolCalls.at(key) : nullptr;
  }
  // Once the budget is spent no piece is kept, and a stream of new keys
  // must not grow the assembly's map either.
  void appendText(openai::StreamKey key, std::string_view piece) {
    if (!budget.spent() && !piece.empty()) text.append(key, piece);
  }

  std::optional<std::string_view> stringMember(JsonValue object, std::string_view key);
  void readCall(ToolCall* call, JsonValue item, bool whole);
  void readDone(JsonValue event);
  void readOutput(uint64_t response, JsonValue output);
};

uint64_t RealtimeSession::Output::orderOf(std::string_view id) {
  if (id.empty()) return latestResponse;
  if (const auto it = responseOrder.find(id); it != responseOrder.end()) return it->second;
  // Servers run a few responses at once; a flood of ids that never finish
  // is read as one.
  if (responseOrder.size() >= kMaxResponsesUnderWay) return latestResponse;
  latestResponse = nextResponse++;
  responseOrder.emplace(std::string(id), latestResponse);
  return latestResponse;
}

// The string member `key`; nullopt when absent, and a fault when not a string.
std::optional<std::string_view> RealtimeSession::Output::stringMember(JsonValue object, std::string_view key) {
  const auto value = member(object, key);
  if (!value) return std::nullopt;
  if (!value->isString()) {
    faulty = true;
    return std::nullopt;
  }
  return value->string();
}

// A function_call item, or the arguments' done event: `whole` when its
// arguments are complete (an added item's are still to come). Ids and names
// are charged to the budget too: a server chooses their length.
void RealtimeSession::Output::readCall(ToolCall* call, JsonValue item, bool whole) {
  const auto id = stringMember(item, "call_id");
  const auto name = stringMember(item, "name");
  const auto arguments = stringMember(item, "arguments");
  if (call == nullptr) return;
  if (id && !id->empty()) budget.assign(call->id, *id);
  if (name && !name->empty()) budget.assign(call->name, *name);
  if (arguments && (whole || !arguments->empty())) budget.assign(call->arguments.text, *arguments);
}

void RealtimeSession::Output::read(std::string_view type, JsonValue event) {
  if (type == "response.output_text.delta" || type == "response.text.delta" ||
      type == "response.output_audio_transcript.delta" || type == "response.audio_transcript.delta") {
    if (const auto delta = stringMember(event, "delta")) appendText(keyOfEvent(orderOfEvent(event), event), *delta);
  } else if (type == "response.output_text.done" || type == "response.text.done") {
    if (const auto full = stringMember(event, "text")) text.replace(keyOfEvent(orderOfEvent(event), event), *full);
  } else if (type == "response.output_audio_transcript.done" || type == "response.audio_transcript.done") {
    if (const auto full = stringMember(event, "transcript"))
      text.replace(keyOfEvent(orderOfEvent(event), event), *full);
  } else if (type == "response.function_call_arguments.delta") {
    if (const auto delta = stringMember(event, "delta"))
      if (ToolCall* call = callOf(orderOfEvent(event), event)) budget.append(call->arguments.text, *delta);
  } else if (type == "response.function_call_arguments.done") {
    readCall(callOf(orderOfEvent(event), event), event, true);
  } else if (type == "response.output_item.added" || type == "response.output_item.done") {
    const auto item = member(event, "item");
    if (item && item->isObject() && stringMember(*item, "type") == "function_call") {
      readCall(callOf(orderOfEvent(event), event), *item, type == "response.output_item.done");
    }
  } else if (type == "response.created") {
    // Responses read in the order they were created, whenever their text comes.
    if (const auto created = member(event, "response"); created && created->isObject()) {
      orderOf(stringMember(*created, "id").value_or(""));
    }
  } else if (type == "response.done") {
    readDone(event);
  } else if (type == "session.created" || type == "session.updated") {
    if (const auto session = member(event, "session"); session && session->isObject()) {
      if (const auto model = stringMember(*session, "model"); model && !model->empty()) response.model = *model;
    }
  } else if (type == "error") {
    const auto error = member(event, "error");
    const auto message = error && error->isObject() ? stringMember(*error, "message") : std::nullopt;
    response.errorMessage = message ? std::string(*message) : std::string("error event without a message");
  }
}

// The end of one response of the session: its status, usage (added to the
// session's), and its output whole, which stands in for deltas missed.
void RealtimeSession::Output::readDone(JsonValue event) {
  const auto done = member(event, "response");
  if (!done || !done->isObject()) {
    faulty = true;
    return;
  }
  const std::string_view id = stringMember(*done, "id").value_or("");
  const uint64_t order = orderOf(id);
  if (!id.empty()) response.id = id;
  if (const auto status = stringMember(*done, "status")) response.finishReason = *status;
  if (const auto usage = member(*done, "usage"); usage && usage->isObject()) {
    addTokens(response.usage.inputTokens, openai::countOf(member(*usage, "input_tokens")));
    addTokens(response.usage.outputTokens, openai::countOf(member(*usage, "output_tokens")));
  }
  // A failed response says why in its status details.
  if (const auto details = member(*done, "status_details"); details && details->isObject()) {
    if (const auto error = member(*details, "error"); error && error->isObject()) {
      if (const auto message = stringMember(*error, "message")) response.errorMessage = std::string(*message);
    }
  }
  if (const auto output = member(*done, "output"); output && output->isArray()) readOutput(order, *output);
  if (const auto it = responseOrder.find(id); it != responseOrder.end()) responseOrder.erase(it);
}

void RealtimeSession::Output::readOutput(uint64_t order, JsonValue output) {
  uint64_t i = 0;
  for (JsonValue item : output.elements()) {
    const uint64_t index = i++;
    if (!item.isObject()) continue;
    const std::string_view type = stringMember(item, "type").value_or("");
    if (type == "function_call") {
      readCall(callAt({order, index}), item, true);
      continue;
    }
    const auto content = member(item, "content");
    if (type != "message" || !content || !content->isArray()) continue;
    uint64_t j = 0;
    for (JsonValue part : content->elements()) {
      const uint64_t partIndex = j++;
      const std::string_view partType = part.isObject() ? stringMember(part, "type").value_or("") : "";
      const bool isText = partType == "text" || partType == "output_text";
      const bool isAudio = partType == "audio" || partType == "output_audio";
      if (!isText && !isAudio) continue;
      if (const auto full = stringMember(part, isText ? "text" : "transcript")) {
        text.replace(key(order, index, partIndex), *full);
      }
    }
  }
}

// ---- The session

RealtimeSession::RealtimeSession(const Route& route, size_t maxTextBytes)
    : requestBudget_(maxTextBytes), output_(std::make_unique<Output>(maxTextBytes)) {
  request_.provider = route.provider;
  request_.operation = Operation::Realtime;
  request_.model = route.modelFromPath;
}

RealtimeSession::RealtimeSession(RealtimeSession&&) noexcept = default;
RealtimeSession& RealtimeSession::operator=(RealtimeSession&&) noexcept = default;
RealtimeSession::~RealtimeSession() = default;

Result<Request> RealtimeSession::clientEvent(std::string_view json) {
  auto document = parseEvent(json);
  if (!document) {
    ++counts_.malformed;
    return document.error().wrap("realtime client message");
  }
  const JsonValue event = document->root();
  const std::string_view type = event.find("type")->string();
  ClientRead read;
  if (auto status = readClientEvent(type, event, read); !status) {
    ++counts_.malformed;
    return status.error().wrap("realtime event \"" + std::string(type) + "\"");
  }
  ++counts_.clientEvents;
  if (read.unread) ++counts_.uninspected;

  Request& out = read.request;
  // Session settings last until the next session.update; a response's
  // own apply to that response alone.
  if (type == "session.update") {
    if (!out.model.empty()) request_.model = out.model;
    if (read.limitGiven) request_.maxOutputTokens = out.maxOutputTokens;
    if (out.temperature) request_.temperature = out.temperature;
  }
  keep(out);
  out.provider = request_.provider;
  out.operation = Operation::Realtime;
  if (out.model.empty()) out.model = request_.model;
  return std::move(out);
}

// The session's conversation is kept up to the text bound: a long session
// must not grow the agent's memory with it. Each event is still returned
// whole to be judged.
void RealtimeSession::keep(const Request& event) {
  for (const Message& message : event.messages) {
    if (requestBudget_.spent()) break;
    Message& kept = request_.messages.emplace_back(message);
    for (Part& part : kept.parts) requestBudget_.charge(part.text.text);
    for (ToolCall& call : kept.toolCalls) requestBudget_.charge(call.arguments.text);
  }
  for (const ToolDefinition& tool : event.tools) {
    // Clients send their whole tool list with every session.update.
    const bool known = std::any_of(request_.tools.begin(), request_.tools.end(), [&](const ToolDefinition& kept) {
      return kept.type == tool.type && kept.name == tool.name && kept.description.text == tool.description.text;
    });
    if (known || requestBudget_.spent()) continue;
    requestBudget_.charge(request_.tools.emplace_back(tool).description.text);
  }
}

void RealtimeSession::serverEvent(std::string_view json) {
  auto document = parseEvent(json);
  if (!document) {
    ++counts_.malformed;
    return;
  }
  const JsonValue event = document->root();
  output_->faulty = false;
  output_->read(event.find("type")->string(), event);
  if (output_->faulty) {
    ++counts_.malformed;
  } else {
    ++counts_.serverEvents;
  }
}

const Response& RealtimeSession::response() const {
  output_->text.sync();
  return output_->response;
}

}  // namespace warden::providers
