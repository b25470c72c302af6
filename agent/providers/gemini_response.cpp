#include "providers/gemini_response.h"

#include <cstddef>
#include <exception>
#include <string>
#include <vector>

#include "http/sse_parser.h"
#include "providers/gemini_json_array.h"
#include "providers/json_body.h"

namespace warden::providers {
namespace {

constexpr size_t kMaxBodyBytes = size_t{32} << 20;  // a JSON body buffered for parsing
constexpr size_t kMaxDepth = ParseLimits{}.maxDepth;

// The API writes lowerCamelCase; absent and JSON null mean "not given".
const Json* member(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

class GeminiReader final : public ResponseReader {
 public:
  GeminiReader(Framing framing, unsigned status) : framing_(framing), status_(status) {}
  GeminiReader(const GeminiReader&) = delete;
  GeminiReader& operator=(const GeminiReader&) = delete;

  void feed(std::string_view bytes) override;
  void finish() override;
  const Response& response() const override { return response_; }
  bool failed() const override { return !failure_.empty(); }
  const std::string& failure() const override { return failure_; }

 private:
  void fail(std::string what) {
    if (failure_.empty()) failure_ = std::move(what);
  }
  void expected(const std::string& field, std::string_view what) { fail(field + ": expected " + std::string(what)); }

  // One GenerateContentResponse; `pointer` is where it sits in the body, or
  // empty in an event stream (no one document to point into).
  void readChunk(std::string_view text, const std::string& what, const std::string* pointer);
  void readResponse(const Json& chunk, const std::string* pointer);
  bool readError(const Json& chunk);
  void readCandidate(const Json& candidate, size_t position, const std::string* pointer);
  void appendText(size_t candidate, const std::string& text);
  void readUsage(const Json& usage);

  Framing framing_;
  unsigned status_;
  http::SseParser events_;
  const http::SseParser::Sink eventSink_ = [this](const http::SseEvent& event) {
    if (!event.data.empty()) readChunk(event.data, "event", nullptr);
  };
  JsonArraySplitter elements_;
  size_t elementCount_ = 0;
  const JsonArraySplitter::Sink elementSink_ = [this](std::string_view element) {
    const std::string pointer = elements_.isArray() ? pointerAppend("", elementCount_) : "";
    readChunk(element, "array element " + std::to_string(elementCount_), &pointer);
    ++elementCount_;
  };
  std::string body_;
  bool finished_ = false;
  bool ended_ = false;                       // a finishReason, blocked prompt or error was seen
  std::vector<std::string> candidateTexts_;  // by candidate index, when there are several
  Response response_;
  std::string failure_;
};

void GeminiReader::feed(std::string_view bytes) {
  if (finished_ || failed()) return;
  try {
    if (framing_ == Framing::ServerSentEvents) {
      if (!events_.feed(bytes, eventSink_)) fail("event stream: line too long; the rest is not inspected");
    } else if (framing_ == Framing::JsonArray) {
      if (!elements_.feed(bytes, elementSink_)) fail("response stream: " + elements_.failure());
    } else if (body_.size() + bytes.size() > kMaxBodyBytes) {
      std::string().swap(body_);
      fail("response body larger than " + std::to_string(kMaxBodyBytes >> 20) + " MiB; not inspected");
    } else {
      body_.append(bytes);
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void GeminiReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (failed()) return;
  try {
    if (framing_ == Framing::ServerSentEvents) {
      if (events_.finish()) return fail("event stream ended inside an event (truncated)");
      if (!ended_) fail("event stream ended before a finishReason (truncated)");
    } else if (framing_ == Framing::JsonArray) {
      if (!elements_.complete()) return fail("response stream ended before the JSON array closed (truncated)");
      if (!ended_) fail("response stream ended before a finishReason (truncated)");
    } else {
      const std::string body = std::move(body_);
      const std::string root;
      readChunk(body, "response body", &root);
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
}

void GeminiReader::readChunk(std::string_view text, const std::string& what, const std::string* pointer) {
  if (failed()) return;
  auto chunk = parseJsonBody(text, kMaxDepth);
  const std::string status = "HTTP " + std::to_string(status_);
  if (!chunk) {
    // Gateways answer errors with HTML pages: that is the error, not a fault.
    if (status_ < 400) return fail(what + ": " + chunk.error().message);
    response_.errorMessage = status + " with a body that is not JSON";
    return;
  }
  if (readError(*chunk)) return;
  if (status_ >= 400) {
    response_.errorMessage = status;
    return;
  }
  if (!chunk->is_object()) return expected(what, "a JSON object");
  readResponse(*chunk, pointer);
}

// {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT"}}, also
// as the single element of an array.
bool GeminiReader::readError(const Json& chunk) {
  const Json* body = chunk.is_array() && chunk.size() == 1 ? &chunk[0] : &chunk;
  if (!body->is_object()) return false;
  const Json* error = member(*body, "error");
  if (error == nullptr || !error->is_object()) return false;
  const Json* status = member(*error, "status");
  const Json* message = member(*error, "message");
  const Json* code = member(*error, "code");
  std::string text = status != nullptr && status->is_string()       ? status->get<std::string>() + ": "
                     : code != nullptr && code->is_number_integer() ? std::to_string(code->get<int64_t>()) + ": "
                                                                    : "";
  text += message != nullptr && message->is_string() ? message->get<std::string>() : "error without a message";
  response_.errorMessage = std::move(text);
  ended_ = true;
  return true;
}

void GeminiReader::readResponse(const Json& chunk, const std::string* pointer) {
  if (const Json* id = member(chunk, "responseId")) {
    if (!id->is_string()) return expected("responseId", "a string");
    response_.id = id->get<std::string>();
  }
  if (const Json* model = member(chunk, "modelVersion")) {
    if (!model->is_string()) return expected("modelVersion", "a string");
    response_.model = model->get<std::string>();
  }
  if (const Json* candidates = member(chunk, "candidates")) {
    if (!candidates->is_array()) return expected("candidates", "an array");
    for (size_t i = 0; i < candidates->size() && !failed(); ++i) {
      if (pointer == nullptr) {
        readCandidate((*candidates)[i], i, nullptr);
      } else {
        const std::string at = pointerAppend(pointerAppend(*pointer, "candidates"), i);
        readCandidate((*candidates)[i], i, &at);
      }
    }
  }
  // A blocked prompt has no candidates; the reason is the answer's end.
  if (const Json* feedback = member(chunk, "promptFeedback"); feedback != nullptr && feedback->is_object()) {
    if (const Json* reason = member(*feedback, "blockReason"); reason != nullptr && reason->is_string()) {
      response_.finishReason = reason->get<std::string>();
      ended_ = true;
    }
  }
  if (const Json* usage = member(chunk, "usageMetadata")) readUsage(*usage);
}

void GeminiReader::readCandidate(const Json& candidate, size_t position, const std::string* pointer) {
  const std::string field = "candidates[" + std::to_string(position) + "]";
  if (!candidate.is_object()) return expected(field, "an object");
  size_t index = position;
  if (const Json* value = member(candidate, "index"); value != nullptr && value->is_number_unsigned()) {
    index = value->get<size_t>();
  }
  if (const Json* content = member(candidate, "content")) {
    if (!content->is_object()) return expected(field + ".content", "an object");
    const Json* parts = member(*content, "parts");
    if (parts != nullptr && !parts->is_array()) return expected(field + ".content.parts", "an array");
    for (size_t i = 0; parts != nullptr && i < parts->size(); ++i) {
      const Json& part = (*parts)[i];
      const std::string partField = field + ".content.parts[" + std::to_string(i) + "]";
      if (!part.is_object()) return expected(partField, "an object");
      const Json* thought = member(part, "thought");
      if (thought != nullptr && thought->is_boolean() && thought->get<bool>()) continue;  // reasoning, not output
      if (const Json* text = member(part, "text")) {
        if (!text->is_string()) return expected(partField + ".text", "a string");
        appendText(index, text->get_ref<const std::string&>());
      } else if (const Json* call = member(part, "functionCall")) {
        const Json* name = call->is_object() ? member(*call, "name") : nullptr;
        if (name == nullptr || !name->is_string()) return expected(partField + ".functionCall.name", "a string");
        ToolCall toolCall;
        toolCall.name = name->get<std::string>();
        if (const Json* id = member(*call, "id"); id != nullptr && id->is_string())
          toolCall.id = id->get<std::string>();
        const Json* args = member(*call, "args");
        toolCall.arguments.text = args != nullptr ? args->dump() : "{}";
        if (pointer != nullptr && args != nullptr) {
          const std::string partAt = pointerAppend(pointerAppend(pointerAppend(*pointer, "content"), "parts"), i);
          toolCall.arguments.pointer = pointerAppend(pointerAppend(partAt, "functionCall"), "args");
        }
        response_.toolCalls.push_back(std::move(toolCall));
      }
    }
  }
  if (const Json* reason = member(candidate, "finishReason")) {
    if (!reason->is_string()) return expected(field + ".finishReason", "a string");
    response_.finishReason = reason->get<std::string>();
    ended_ = true;
  }
}

// Several candidates stream interleaved; the text keeps each one's whole
// output together, in candidate order.
void GeminiReader::appendText(size_t candidate, const std::string& text) {
  if (candidate >= candidateTexts_.size()) {
    if (candidate > 64) return fail("candidate index " + std::to_string(candidate) + " out of range");
    candidateTexts_.resize(candidate + 1);
  }
  candidateTexts_[candidate] += text;
  if (candidate + 1 == candidateTexts_.size()) {
    response_.text += text;
    return;
  }
  response_.text.clear();
  for (const std::string& each : candidateTexts_) response_.text += each;
}

void GeminiReader::readUsage(const Json& usage) {
  if (!usage.is_object()) return expected("usageMetadata", "an object");
  const auto count = [&](const char* key, std::optional<uint64_t>& into) {
    const Json* value = member(usage, key);
    if (value == nullptr) return;
    if (!value->is_number_unsigned()) return expected(std::string("usageMetadata.") + key, "a non-negative integer");
    into = value->get<uint64_t>();
  };
  count("promptTokenCount", response_.usage.inputTokens);
  count("candidatesTokenCount", response_.usage.outputTokens);
}

}  // namespace

std::unique_ptr<ResponseReader> makeGeminiResponseReader(Framing framing, unsigned status) {
  return std::make_unique<GeminiReader>(framing, status);
}

}  // namespace warden::providers
