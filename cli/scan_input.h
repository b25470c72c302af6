// What `wardenctl scan` was given: an LLM API request body, read by the
// provider adapter wardend uses for that route, or plain text, read as one
// user message. Either way the result is a providers::Request, so the scan
// goes through the agent's own validatePrompt().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"

namespace warden::cli {

struct ScanInput {
  providers::Request request;
  bool apiBody = false;  // read by a provider adapter
  std::string host;      // the route it was read as (apiBody)
  std::string path;
  std::string guessedFrom;  // the body's field that chose the API; "" when --path did
  std::string note;         // why JSON input was scanned as plain text instead
};

struct ScanInputOptions {
  std::string apiPath;  // "" = guess from the body's shape
  std::string apiHost;  // "" = kDefaultApiHost
  size_t maxJsonDepth = 64;
};

// Fails only when --path names the API and the body is not a request to it.
Result<ScanInput> readScanInput(std::string_view bytes, const ScanInputOptions& options);

// A multipart upload cannot be rewritten, so wardend refuses what it would
// otherwise sanitise (see proxy/prompt_validation.h).
bool isRewritable(const providers::Request& request);

}  // namespace warden::cli
