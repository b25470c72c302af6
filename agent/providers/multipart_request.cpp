#include "providers/multipart_request.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "http/header_parameters.h"
#include "http/multipart.h"

namespace warden::providers {
namespace {

// What the transcription endpoints accept besides the containers below.
constexpr std::array<std::string_view, 8> kAudioExtensions{"flac", "m4a", "mp3", "mpga", "oga", "ogg", "opus", "wav"};
constexpr std::array<std::string_view, 5> kTextExtensions{"txt", "md", "csv", "json", "jsonl"};
constexpr std::array<std::string_view, 3> kTextTypes{"application/json", "application/jsonl", "application/x-ndjson"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// "Notes.TXT" -> "txt"; "" when the name has no extension.
std::string extensionOf(std::string_view filename) {
  const size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == filename.size()) return {};
  std::string out(filename.substr(dot + 1));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

bool isTextLike(std::string_view mediaType, std::string_view extension) {
  return mediaType.starts_with("text/") || contains(kTextTypes, mediaType) || contains(kTextExtensions, extension);
}

// The content of a text-like file as a layer reads it: nullopt when it is
// not UTF-8 (then it is data, whatever its name says).
std::optional<std::string> fileText(std::string_view content) {
  if (!simdjson::validate_utf8(content)) return std::nullopt;
  size_t cut = std::min(content.size(), kUploadTextLimit);
  while (cut > 0 && cut < content.size() && (static_cast<unsigned char>(content[cut]) & 0xC0) == 0x80) --cut;
  return std::string(content.substr(0, cut));
}

// One uploaded file as a user message.
Message fileMessage(const http::MultipartPart& part, Operation operation) {
  const std::string mediaType = http::mediaTypeOf(part.contentType);
  const std::string extension = extensionOf(part.filename.value_or(""));
  // The transcription endpoints take audio in their "file" field, video
  // containers (mp4, webm) included.
  const bool audio = mediaType.starts_with("audio/") || contains(kAudioExtensions, extension) ||
                     (operation == Operation::AudioTranscriptions && part.name == "file");
  Part data;
  data.kind = audio ? Part::Kind::Audio : mediaType.starts_with("image/") ? Part::Kind::Image : Part::Kind::File;
  data.mediaType = mediaType;
  data.bytes = part.body.size();
  data.reference = part.filename.value_or("");
  data.formField = part.name;

  Message message;
  message.role = Role::User;
  message.parts.push_back(std::move(data));
  if (isTextLike(mediaType, extension)) {
    if (auto text = fileText(part.body)) {
      Part content;
      content.kind = Part::Kind::Text;
      content.text.text = std::move(*text);
      content.formField = part.name;
      message.parts.push_back(std::move(content));
    }
  }
  return message;
}

// The form fields the model has a place for, each at most once: a field
// given twice is read by the server one way (first or last) and could be
// inspected the other.
class FormFields {
 public:
  FormFields(const Route& route, Request& out) : route_(route), out_(out) {}

  Status read(const http::MultipartPart& part) {
    const std::string_view name = part.name;
    const bool audio = route_.operation == Operation::AudioTranscriptions;
    if (name == "purpose") return once(name);
    if (!audio || (name != "model" && name != "prompt" && name != "temperature" && name != "stream" &&
                   name != "language" && name != "response_format")) {
      return {};  // fields the model has no place for (chunking_strategy, include[], ...)
    }
    if (auto status = once(name); !status) return status;
    const std::string_view value = part.body;
    if (!simdjson::validate_utf8(value)) return fieldError(name, "not valid UTF-8");
    if (name == "model") {
      // Azure runs the deployment in the path, whatever the form says.
      if (route_.modelFromPath.empty()) out_.model = std::string(value);
    } else if (name == "prompt") {
      out_.inputs.push_back(TextRef{std::string(value), ""});
    } else if (name == "temperature") {
      double number = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(number)) {
        return fieldError(name, "expected a number, got '" + std::string(value.substr(0, 40)) + "'");
      }
      out_.temperature = number;
    } else if (name == "stream") {
      if (value != "true" && value != "false") return fieldError(name, "expected true or false");
      out_.stream = value == "true";
    }
    return {};
  }

 private:
  Status once(std::string_view name) {
    if (!seen_.emplace(name).second) return fieldError(name, "given twice");
    return {};
  }
  static Error fieldError(std::string_view name, const std::string& what) {
    return Error{"form field '" + std::string(name) + "': " + what};
  }

  const Route& route_;
  Request& out_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace

Result<Request> parseMultipartRequest(const Route& route, std::string_view contentType, std::string_view body) {
  auto parts = http::readMultipart(contentType, body);
  if (!parts) return parts.error();
  Request request;
  request.provider = route.provider;
  request.operation = route.operation;
  request.model = route.modelFromPath;
  FormFields fields(route, request);
  for (const auto& part : *parts) {
    // A file is what carries a file name, and the field both APIs take one in.
    if (part.filename || part.name == "file") {
      request.messages.push_back(fileMessage(part, route.operation));
    } else if (auto status = fields.read(part); !status) {
      return status.error();
    }
  }
  return request;
}

}  // namespace warden::providers
