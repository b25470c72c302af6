// Reading one provider API's requests and responses into the conversation
// model. One adapter per API shape; adapterFor() picks it by route.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/route.h"

namespace warden::providers {

struct ParseLimits {
  size_t maxDepth = 64;  // JSON nesting beyond this is refused, not parsed
};

// How a response body is framed, chosen from its Content-Type and the route.
enum class Framing { Json, ServerSentEvents, JsonLines, JsonArray };

// Assembles a response from its body as it streams: feed() with each piece
// of the decoded body (dechunked and decompressed), then finish(). Stream
// deltas (OpenAI chunks, Anthropic content_block_delta, Gemini candidates,
// Ollama lines) are joined into the output text and tool calls as they come,
// so response() is meaningful at any time. Never throws; malformed input
// makes failed() true and is reported, the bytes are relayed regardless.
class ResponseReader {
 public:
  virtual ~ResponseReader() = default;
  virtual void feed(std::string_view bytes) = 0;
  virtual void finish() = 0;
  virtual const Response& response() const = 0;
  virtual bool failed() const = 0;
  virtual const std::string& failure() const = 0;  // what was wrong, when failed()
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  // Reads a request body (decoded). Errors name what is wrong in words a
  // client developer understands ("messages[2].content: expected a string
  // or an array"). `contentType` is the request's Content-Type header: the
  // JSON APIs read their bodies as JSON whatever it says (clients omit it or
  // get it wrong), an upload needs its multipart boundary.
  virtual Result<Request> parseRequest(const Route& route, std::string_view body, const ParseLimits& limits = {},
                                       std::string_view contentType = {}) const = 0;
  // `contentType` is the response's Content-Type header; `status` its code.
  virtual std::unique_ptr<ResponseReader> readResponse(const Route& route, unsigned status,
                                                       std::string_view contentType) const = 0;
};

// Null for Operation::Uninspected.
const Adapter* adapterFor(const Route& route);

}  // namespace warden::providers

// The adapters, one per API family (each in its own file).
namespace warden::providers {
const Adapter& openAiAdapter();     // chat, completions, responses, embeddings, moderations: OpenAI, Azure, compatible servers
const Adapter& anthropicAdapter();  // messages
const Adapter& geminiAdapter();     // generateContent, streamGenerateContent
const Adapter& ollamaAdapter();     // /api/chat, /api/generate
const Adapter& multipartAdapter();  // files, audio transcriptions and translations: multipart/form-data uploads
}  // namespace warden::providers
