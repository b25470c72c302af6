#include "cli/scan_input.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "cli/options.h"
#include "providers/adapter.h"
#include "providers/route.h"

namespace warden::cli {
namespace {

using nlohmann::json;

struct GuessedApi {
  std::string host;
  std::string path;
  std::string field;  // what gave it away
};

bool hasBlockOfType(const json& messages, std::initializer_list<std::string_view> types) {
  for (const auto& message : messages) {
    if (!message.is_object()) continue;
    auto content = message.find("content");
    if (content == message.end() || !content->is_array()) continue;
    for (const auto& block : *content) {
      if (!block.is_object()) continue;
      auto type = block.find("type");
      if (type == block.end() || !type->is_string()) continue;
      for (std::string_view t : types) {
        if (type->get_ref<const std::string&>() == t) return true;
      }
    }
  }
  return false;
}

// Gemini names the model in the path; a body may carry one for the reader.
std::string geminiModelOf(const json& body) {
  auto model = body.find("model");
  if (model == body.end() || !model->is_string()) return "unknown";
  std::string name = model->get<std::string>();
  if (name.rfind("models/", 0) == 0) name.erase(0, 7);
  if (name.empty() || name.find_first_of("/:?#% ") != std::string::npos) return "unknown";
  return name;
}

// Deliberately simple; --path settles anything it gets wrong.
std::optional<GuessedApi> guessApi(const json& body) {
  if (body.contains("contents")) {
    return GuessedApi{"generativelanguage.googleapis.com", "/v1beta/models/" + geminiModelOf(body) + ":generateContent",
                      "contents"};
  }
  if (auto messages = body.find("messages"); messages != body.end()) {
    // OpenAI chat has no top-level system and no tool_use/tool_result blocks.
    const bool anthropic =
        body.contains("system") || (messages->is_array() && hasBlockOfType(*messages, {"tool_use", "tool_result"}));
    if (anthropic) return GuessedApi{"api.anthropic.com", "/v1/messages", "messages"};
    return GuessedApi{kDefaultApiHost, "/v1/chat/completions", "messages"};
  }
  if (body.contains("input")) return GuessedApi{kDefaultApiHost, "/v1/responses", "input"};
  if (body.contains("prompt")) return GuessedApi{kDefaultApiHost, "/v1/completions", "prompt"};
  return std::nullopt;
}

ScanInput plainText(std::string_view bytes, std::string note) {
  ScanInput input;
  providers::Message message;
  message.role = providers::Role::User;
  providers::Part part;
  part.text.text = std::string(bytes);
  message.parts.push_back(std::move(part));
  input.request.messages.push_back(std::move(message));
  input.note = std::move(note);
  return input;
}

// The route wardend would give a request to `path` on `host`; without a host,
// the default one, or the path alone when that host does not serve it.
providers::Route routeOf(const std::string& host, const std::string& path, std::string& usedHost) {
  usedHost = host.empty() ? kDefaultApiHost : host;
  providers::Route route = providers::route(usedHost, "POST", path);
  if (route.operation == providers::Operation::Uninspected && host.empty()) {
    usedHost = "";
    route = providers::route(usedHost, "POST", path);
  }
  return route;
}

Result<providers::Request> parseAs(const providers::Route& route, std::string_view bytes, size_t maxJsonDepth) {
  const providers::Adapter* adapter = providers::adapterFor(route);
  if (adapter == nullptr) return Error{"no adapter reads it"};
  providers::ParseLimits limits;
  limits.maxDepth = maxJsonDepth;
  return adapter->parseRequest(route, bytes, limits);
}

}  // namespace

bool isRewritable(const providers::Request& request) {
  return request.operation != providers::Operation::Files &&
         request.operation != providers::Operation::AudioTranscriptions;
}

Result<ScanInput> readScanInput(std::string_view bytes, const ScanInputOptions& options) {
  ScanInput input;
  if (!options.apiPath.empty()) {
    const providers::Route route = routeOf(options.apiHost, options.apiPath, input.host);
    if (!providers::adapterFor(route)) {
      return Error{"--path " + options.apiPath + ": not an API request wardend reads" +
                   (options.apiHost.empty() ? "" : " on " + options.apiHost) +
                   " (e.g. /v1/chat/completions, /v1/responses, /v1/messages, /v1beta/models/M:generateContent)"};
    }
    auto request = parseAs(route, bytes, options.maxJsonDepth);
    if (!request) {
      return request.error().wrap("the input is not a " + std::string(providers::toString(route.operation)) +
                                  " request body");
    }
    input.request = std::move(request.value());
    input.apiBody = true;
    input.path = options.apiPath;
    return input;
  }

  // The input may well be prose: only a JSON object is a candidate body.
  const json body = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return plainText(bytes, "");
  const auto guess = guessApi(body);
  if (!guess) return plainText(bytes, "a JSON object with none of contents, messages, input, prompt");
  const providers::Route route = routeOf(guess->host, guess->path, input.host);
  auto request = parseAs(route, bytes, options.maxJsonDepth);
  if (!request) {
    return plainText(bytes, "has \"" + guess->field + "\" but is not a " + providers::toString(route.operation) +
                                " request body (" + request.error().message + "); --path names the API");
  }
  input.request = std::move(request.value());
  input.apiBody = true;
  input.path = guess->path;
  input.guessedFrom = guess->field;
  return input;
}

}  // namespace warden::cli
