#include "providers/openai_media.h"

#include <algorithm>

namespace warden::providers::openai {
namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '-' || c == '_';
}

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

}  // namespace

uint64_t base64DecodedSize(std::string_view text) {
  const auto symbols = static_cast<uint64_t>(std::count_if(text.begin(), text.end(), isBase64Char));
  return symbols / 4 * 3 + (symbols % 4 == 0 ? 0 : symbols % 4 - 1);
}

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

std::string audioMediaType(std::string_view format) {
  if (format.empty()) return {};
  if (format == "mp3") return "audio/mpeg";
  return "audio/" + std::string(format);
}

}  // namespace warden::providers::openai
