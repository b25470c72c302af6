// Which provider and operation an HTTP request is, from its host and path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/conversation.h"

namespace warden::providers {

struct Route {
  Provider provider = Provider::Unknown;
  Operation operation = Operation::Uninspected;
  std::string modelFromPath;  // Azure deployment name, Gemini model ("gemini-1.5-pro")
  bool streamFromPath = false;  // Gemini :streamGenerateContent
};

// The provider a host belongs to: api.openai.com, *.openai.azure.com,
// api.anthropic.com, generativelanguage.googleapis.com; any other host
// (a local model server, a user-added gateway) is Unknown and routed by path
// alone, so OpenAI-compatible and Ollama servers are read too.
Provider providerForHost(std::string_view host);

// `target` is the request target as sent ("/v1/chat/completions?x=y").
// Path matching ignores the query and a trailing slash; Azure's
// /openai/deployments/{name}/chat/completions?api-version=... and
// /openai/v1/... forms are recognised.
Route route(std::string_view host, std::string_view method, std::string_view target);

// The segments of `target`'s path as route() matches them (query dropped,
// escapes decoded, empty and dot segments resolved), for readers of paths
// route() leaves alone, such as the Realtime WebSocket upgrade.
std::vector<std::string> routingPath(std::string_view target);

}  // namespace warden::providers
