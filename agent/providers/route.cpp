#include "providers/route.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace warden::providers {
namespace {

// Views into the request target, or into its decoded copy: routing a typical
// path allocates nothing.
using Segments = boost::container::small_vector<std::string_view, 12>;
using SegmentView = std::span<const std::string_view>;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "API.OpenAI.com:443" -> "api.openai.com"; "[::1]:8080" -> "::1".
std::string hostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (const size_t colon = host.find(':');
             colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') {
    host.remove_suffix(1);  // the absolute form names the same host
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hexValue(text[i + 1]);
      const int lo = hexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// The path as an upstream server would route it. Servers decode
// percent-escapes (%2F included), merge empty segments and resolve dot
// segments before routing, so a client cannot dodge inspection by spelling
// /v1/chat/completions differently.
// `decoded` holds the path when it has percent-escapes; the segments may
// point into it, so it must outlive them.
Segments pathSegments(std::string_view target, std::string& decoded) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), target.begin(), [](char a, char b) { return a == lower(b); })) {
      target.remove_prefix(scheme.size());
      const size_t slash = target.find('/');
      target = slash == std::string_view::npos ? std::string_view{} : target.substr(slash);
      break;
    }
  }
  target = target.substr(0, target.find_first_of("?#"));
  std::string_view path = target;
  if (target.find('%') != std::string_view::npos) {
    decoded = percentDecode(target);
    path = decoded;
  }

  Segments segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  return segments;
}

bool equals(SegmentView segments, std::initializer_list<std::string_view> expected) {
  return segments.size() == expected.size() && std::equal(expected.begin(), expected.end(), segments.begin());
}

bool endsWith(SegmentView segments, std::initializer_list<std::string_view> expected) {
  return segments.size() >= expected.size() &&
         std::equal(expected.begin(), expected.end(), segments.end() - static_cast<ptrdiff_t>(expected.size()));
}

struct OpenAiPath {
  std::initializer_list<std::string_view> segments;
  Operation operation;
};

// chat/completions before completions: a suffix match must take the longer one.
// Translations read as transcriptions: the same form, an audio file in, text out.
const std::array<OpenAiPath, 8> kOpenAiPaths{{
    {{"chat", "completions"}, Operation::ChatCompletions},
    {{"completions"}, Operation::Completions},
    {{"responses"}, Operation::Responses},
    {{"embeddings"}, Operation::Embeddings},
    {{"moderations"}, Operation::Moderations},
    {{"files"}, Operation::Files},
    {{"audio", "transcriptions"}, Operation::AudioTranscriptions},
    {{"audio", "translations"}, Operation::AudioTranscriptions},
}};

// The whole of `segments` is one OpenAI operation path.
std::optional<Operation> openAiExact(SegmentView segments) {
  for (const auto& path : kOpenAiPaths) {
    if (equals(segments, path.segments)) return path.operation;
  }
  return std::nullopt;
}

// `segments` ends in an OpenAI operation path, after any gateway prefix.
std::optional<Operation> openAiSuffix(SegmentView segments) {
  for (const auto& path : kOpenAiPaths) {
    if (endsWith(segments, path.segments)) return path.operation;
  }
  return std::nullopt;
}

Route operationRoute(Provider provider, Operation operation, std::string model = {}) {
  Route route;
  route.provider = provider;
  route.operation = operation;
  route.modelFromPath = std::move(model);
  return route;
}

// .../openai/deployments/{name}/chat/completions (Azure, and gateways in front of it).
std::optional<Route> azureDeployment(SegmentView segments, Provider provider, bool anywhere) {
  for (size_t i = 0; i + 2 < segments.size(); ++i) {
    if (segments[i] != "deployments" || (!anywhere && (i != 1 || segments[0] != "openai"))) continue;
    if (const auto op = openAiExact(segments.subspan(i + 2))) {
      return operationRoute(provider, *op, std::string(segments[i + 1]));
    }
  }
  return std::nullopt;
}

// {models|tunedModels}/{name}:{method} as the last two segments.
std::optional<Route> geminiModel(SegmentView segments) {
  if (segments.size() < 2) return std::nullopt;
  const std::string_view collection = segments[segments.size() - 2];
  const std::string_view last = segments.back();
  const size_t colon = last.rfind(':');
  if ((collection != "models" && collection != "tunedModels") || colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  const std::string_view method = last.substr(colon + 1);
  std::string model(last.substr(0, colon));
  if (collection == "tunedModels") model = "tunedModels/" + model;  // not the base model of the same name
  if (method == "generateContent") return operationRoute(Provider::Gemini, Operation::GenerateContent, model);
  if (method == "streamGenerateContent") {
    Route route = operationRoute(Provider::Gemini, Operation::StreamGenerateContent, model);
    route.streamFromPath = true;
    return route;
  }
  return std::nullopt;
}

bool isGeminiVersion(std::string_view segment) {
  return segment == "v1" || segment == "v1beta" || segment == "v1alpha";
}

Route openAiHost(SegmentView path) {
  if (!path.empty() && path[0] == "v1") {
    if (const auto op = openAiExact(path.subspan(1))) return operationRoute(Provider::OpenAI, *op);
  }
  return operationRoute(Provider::OpenAI, Operation::Uninspected);
}

Route azureHost(SegmentView path) {
  if (auto deployment = azureDeployment(path, Provider::AzureOpenAI, false)) return *deployment;
  if (!path.empty() && path[0] == "openai") {
    // /openai/v1/... (the v1 API) and /openai/responses (the preview Responses API).
    const SegmentView rest = path.size() > 1 && path[1] == "v1" ? path.subspan(2) : path.subspan(1);
    if (const auto op = openAiExact(rest)) return operationRoute(Provider::AzureOpenAI, *op);
  }
  return operationRoute(Provider::AzureOpenAI, Operation::Uninspected);
}

Route anthropicHost(SegmentView path) {
  if (equals(path, {"v1", "messages"})) return operationRoute(Provider::Anthropic, Operation::Messages);
  // Anthropic also serves the OpenAI chat shape for OpenAI SDK users.
  if (!path.empty() && path[0] == "v1") {
    if (const auto op = openAiExact(path.subspan(1))) return operationRoute(Provider::Anthropic, *op);
  }
  return operationRoute(Provider::Anthropic, Operation::Uninspected);
}

Route geminiHost(SegmentView path) {
  if (path.size() == 3 && isGeminiVersion(path[0])) {
    if (auto model = geminiModel(path)) return *model;
  }
  // The OpenAI-compatible surface: /v1beta/openai/chat/completions.
  if (path.size() > 2 && isGeminiVersion(path[0]) && path[1] == "openai") {
    if (const auto op = openAiExact(path.subspan(2))) return operationRoute(Provider::Gemini, *op);
  }
  return operationRoute(Provider::Gemini, Operation::Uninspected);
}

// A host no provider owns: a local model server or a gateway the operator
// added. It is read by path alone, after any prefix the gateway adds. The
// provider names the API family when the path is not OpenAI-shaped, so a
// refusal comes back in the format the client's SDK parses.
Route unknownHost(SegmentView path) {
  if (auto deployment = azureDeployment(path, Provider::Unknown, true)) return *deployment;
  if (auto model = geminiModel(path)) return *model;
  if (endsWith(path, {"v1", "messages"})) return operationRoute(Provider::Anthropic, Operation::Messages);
  if (endsWith(path, {"api", "chat"})) return operationRoute(Provider::Ollama, Operation::OllamaChat);
  if (endsWith(path, {"api", "generate"})) return operationRoute(Provider::Ollama, Operation::OllamaGenerate);
  // Ollama's own /api/embeddings takes {"prompt"}, not the OpenAI shape.
  if (endsWith(path, {"api", "embeddings"})) return operationRoute(Provider::Ollama, Operation::Uninspected);
  if (const auto op = openAiSuffix(path)) return operationRoute(Provider::Unknown, *op);
  return operationRoute(Provider::Unknown, Operation::Uninspected);
}

}  // namespace

Provider providerForHost(std::string_view host) {
  const std::string name = hostName(host);
  if (name == "api.openai.com") return Provider::OpenAI;
  // Azure OpenAI resources, including the multi-service (AI Foundry) forms
  // that serve the same /openai/... paths.
  if (endsWith(name, ".openai.azure.com") || endsWith(name, ".cognitiveservices.azure.com") ||
      endsWith(name, ".services.ai.azure.com")) {
    return Provider::AzureOpenAI;
  }
  if (name == "api.anthropic.com") return Provider::Anthropic;
  if (name == "generativelanguage.googleapis.com") return Provider::Gemini;
  return Provider::Unknown;
}

Route route(std::string_view host, std::string_view method, std::string_view target) {
  std::string decoded;
  const Segments path = pathSegments(target, decoded);
  Route result;
  switch (providerForHost(host)) {
    case Provider::OpenAI:
      result = openAiHost(path);
      break;
    case Provider::AzureOpenAI:
      result = azureHost(path);
      break;
    case Provider::Anthropic:
      result = anthropicHost(path);
      break;
    case Provider::Gemini:
      result = geminiHost(path);
      break;
    case Provider::Ollama:
    case Provider::Unknown:
      result = unknownHost(path);
      break;
  }
  // Every inspected operation is a POST; GET /v1/responses/{id} and the like
  // carry no prompt.
  if (method != "POST") return operationRoute(result.provider, Operation::Uninspected);
  return result;
}

std::vector<std::string> routingPath(std::string_view target) {
  std::string decoded;
  const Segments segments = pathSegments(target, decoded);
  return {segments.begin(), segments.end()};
}

}  // namespace warden::providers
