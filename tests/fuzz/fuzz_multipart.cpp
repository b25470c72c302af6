// libFuzzer target: multipart/form-data uploads. The input's first line is
// the request's Content-Type, the rest its body; it is read as parts, then
// as a files upload and an audio transcription, and the body again as each
// kind of transcription reply, whole and split where byte 0 says.
//
// Besides never crashing: parts are views into the body, in order, none
// holding a delimiter; every uploaded file is one part's size, and its text
// (when it has one) is a prefix of that part's content.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter_fuzz.h"
#include "http/multipart.h"
#include "providers/adapter.h"
#include "providers/route.h"

namespace {

using warden::fuzz::check;

void checkParts(std::string_view contentType, std::string_view body,
                const std::vector<warden::http::MultipartPart>& parts) {
  const auto boundary = warden::http::multipartBoundary(contentType);
  check(boundary.ok());
  const std::string delimiter = "\r\n--" + *boundary;
  check(parts.size() <= warden::http::MultipartLimits{}.maxParts);
  const char* previousEnd = body.data();
  for (const auto& part : parts) {
    check(part.body.data() >= previousEnd);
    check(part.body.data() + part.body.size() <= body.data() + body.size());
    check(part.body.find(delimiter) == std::string_view::npos);
    check(part.name.find_first_of("\r\n") == std::string::npos);
    previousEnd = part.body.data() + part.body.size();
  }
}

void checkUpload(const std::vector<warden::http::MultipartPart>& parts, const warden::providers::Request& request) {
  using warden::providers::Part;
  for (const auto& message : request.messages) {
    check(!message.parts.empty() && message.parts.size() <= 2);
    const Part& data = message.parts[0];
    check(data.kind != Part::Kind::Text);
    // Some part of that field has exactly this size.
    const warden::http::MultipartPart* source = nullptr;
    for (const auto& part : parts) {
      if (part.name == data.formField && part.body.size() == data.bytes) source = &part;
    }
    check(source != nullptr);
    if (message.parts.size() == 2) {
      const Part& text = message.parts[1];
      check(text.kind == Part::Kind::Text && text.text.pointer.empty());
      check(simdjson::validate_utf8(text.text.text));
      check(text.text.text.size() <= data.bytes);
    }
  }
  for (const auto& input : request.inputs) check(simdjson::validate_utf8(input.text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view contentType = input.substr(0, newline);
  const std::string_view body = input.substr(newline + 1);

  auto parts = warden::http::readMultipart(contentType, body);
  if (parts) {
    checkParts(contentType, body, *parts);
  } else {
    check(!parts.error().message.empty());
  }

  const auto& adapter = warden::providers::multipartAdapter();
  for (const auto target : {"/v1/files", "/v1/audio/transcriptions"}) {
    const auto route = warden::providers::route("api.openai.com", "POST", target);
    check(warden::providers::adapterFor(route) == &adapter);
    auto request = adapter.parseRequest(route, body, {}, contentType);
    if (!request) {
      check(!request.error().message.empty());
      continue;
    }
    check(parts.ok());  // the adapter reads no form the reader refuses
    checkUpload(*parts, *request);
  }

  const auto transcriptions = warden::providers::route("api.openai.com", "POST", "/v1/audio/transcriptions");
  const size_t split = body.size() * data[0] / 255;
  for (const std::string_view replyType : {"application/json", "text/plain", "text/event-stream"}) {
    warden::fuzz::readBothWays(adapter, transcriptions, 200, replyType, body, split);
  }
  return 0;
}
