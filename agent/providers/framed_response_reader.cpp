#include "providers/framed_response_reader.h"

#include <exception>

#include "providers/json_fields.h"

namespace warden::providers {
namespace {

std::string sizeText(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

FramedResponseReader::FramedResponseReader(Framing framing, unsigned status, const ReaderOptions& options)
    : budget_(options.maxTextBytes), framing_(framing), status_(status), options_(options) {}

void FramedResponseReader::feed(std::string_view bytes) {
  if (finished_ || faulted_ || stopped_) return;
  try {
    switch (framing_) {
      case Framing::ServerSentEvents:
        if (!events_.feed(bytes, eventSink_)) fail("event stream: line too long; the rest is not inspected");
        break;
      case Framing::JsonLines:
        if (!lines_.feed(bytes, lineSink_)) fail("response stream: line too long; the rest is not inspected");
        break;
      case Framing::JsonArray:
        if (!elements_.feed(bytes, elementSink_)) fail("response stream: " + elements_.failure());
        break;
      case Framing::Json:
        buffer(bytes);
        break;
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
  noteSpentBudget();
}

void FramedResponseReader::finish() {
  if (finished_) return;
  finished_ = true;
  if (faulted_ || stopped_) return;
  try {
    switch (framing_) {
      case Framing::ServerSentEvents:
        if (events_.finish() && options_.checkStreamEnd) {
          fail("event stream ended inside an event (truncated)");
        } else {
          endOfStream("event stream");
        }
        break;
      case Framing::JsonLines:
        lines_.finish(lineSink_);  // a last line without its newline
        endOfStream("response stream");
        break;
      case Framing::JsonArray:
        if (!elements_.complete()) {
          fail("response stream ended before the JSON array closed (truncated)");
        } else {
          endOfStream("response stream");
        }
        break;
      case Framing::Json: {
        const std::string body = std::move(body_);
        std::string().swap(body_);
        onBody(body);
        break;
      }
    }
  } catch (const std::exception& e) {
    fail(std::string("reading the response: ") + e.what());
  }
  noteSpentBudget();
}

void FramedResponseReader::buffer(std::string_view bytes) {
  if (body_.size() + bytes.size() > options_.maxBodyBytes) {
    return fail("response body larger than " + sizeText(options_.maxBodyBytes) + "; not inspected");
  }
  body_.append(bytes);
}

void FramedResponseReader::endOfStream(const char* stream) {
  if (faulted_ || !options_.checkStreamEnd) return;
  if (const char* awaited = missingEnd()) fail(std::string(stream) + " ended before " + awaited + " (truncated)");
}

void FramedResponseReader::fail(const std::string& what) {
  if (faulted_) return;
  faulted_ = true;
  failure_ = failure_.empty() ? what : failure_ + "; " + what;
  std::string().swap(body_);
}

// Not a fault: the usage and finish facts still to come are read.
void FramedResponseReader::noteSpentBudget() {
  if (!budget_.spent() || budgetNoted_) return;
  budgetNoted_ = true;
  const std::string note =
      "output text and tool call arguments larger than " + sizeText(budget_.limit()) + "; the rest is not inspected";
  failure_ = failure_.empty() ? note : failure_ + "; " + note;
}

std::optional<JsonDocument> FramedResponseReader::parseDocument(std::string_view text, const std::string& what) {
  auto parsed = parseJsonBody(text, ParseLimits{}.maxDepth);
  if (parsed) return std::move(*parsed);
  if (errorStatus()) {
    response_.errorMessage = "HTTP " + std::to_string(status_) + " with a body that is not JSON";
  } else {
    fail(what + ": " + parsed.error().message);
  }
  return std::nullopt;
}

void FramedResponseReader::readCount(JsonValue object, std::string_view key, const std::string& field,
                                     std::optional<uint64_t>& into) {
  const auto value = member(object, key);
  if (!value) return;
  if (!value->isCount()) return expected(field, "a non-negative integer");
  into = value->count();
}

void FramedResponseReader::chargeWhole() {
  budget_.charge(response_.text);
  for (ToolCall& call : response_.toolCalls) budget_.charge(call.arguments.text);
}

}  // namespace warden::providers
