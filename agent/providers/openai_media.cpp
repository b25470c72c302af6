#include "providers/openai_media.h"

#include <algorithm>

#include "providers/base64_size.h"

namespace warden::providers::openai {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) { return a == lower(b); });
}

// Percent-escapes count as the one byte they stand for.
uint64_t percentDecodedSize(std::string_view text) {
  uint64_t size = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) i += 2;
    ++size;
  }
  return size;
}

// "wav" -> "audio/wav", "mp3" -> "audio/mpeg".
std::string audioMediaType(std::string_view format) {
  if (format.empty()) return {};
  if (format == "mp3") return "audio/mpeg";
  return "audio/" + std::string(format);
}

}  // namespace

void setMediaFromUrl(Part& part, std::string_view url) {
  // data:[<media type>][;param=value]*[;base64],<data>
  if (!startsWithNoCase(url, "data:")) {
    part.reference = std::string(url);
    return;
  }
  const std::string_view rest = url.substr(5);
  const size_t comma = rest.find(',');
  const std::string_view header = rest.substr(0, comma);
  const std::string_view data = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  std::string mediaType(header.substr(0, header.find(';')));
  std::transform(mediaType.begin(), mediaType.end(), mediaType.begin(), lower);
  part.mediaType = mediaType;
  const size_t params = header.find(';');
  std::string paramText(params == std::string_view::npos ? std::string_view{} : header.substr(params));
  std::transform(paramText.begin(), paramText.end(), paramText.begin(), lower);
  const bool base64 = paramText.size() >= 7 && paramText.compare(paramText.size() - 7, 7, ";base64") == 0;
  part.bytes = base64 ? base64DecodedSize(data) : percentDecodedSize(data);
}

void setMediaFromFileData(Part& part, std::string_view data) {
  if (startsWithNoCase(data, "data:")) {
    setMediaFromUrl(part, data);
  } else {
    part.bytes = base64DecodedSize(data);
  }
}

Result<Part> readFileFields(JsonValue object, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::File;
  auto data = optionalString(object, at, "file_data");
  if (!data) return data.error();
  auto id = optionalString(object, at, "file_id");
  if (!id) return id.error();
  if (*data) setMediaFromFileData(out, **data);
  if (*id) out.reference = **id;
  return out;
}

Result<Part> readAudioPart(JsonValue part, const Cursor& at) {
  Part out;
  out.kind = Part::Kind::Audio;
  auto audio = requiredObject(part, at, "input_audio");
  if (!audio) return audio.error();
  const Cursor audioAt = at.child("input_audio");
  auto data = requiredString(*audio, audioAt, "data");
  if (!data) return data.error();
  auto format = optionalString(*audio, audioAt, "format");
  if (!format) return format.error();
  out.bytes = base64DecodedSize(*data);
  if (*format) out.mediaType = audioMediaType(**format);
  return out;
}

}  // namespace warden::providers::openai
