#include "http/header_parameters.h"

#include <algorithm>
#include <cstdint>

namespace warden::http {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 9110 tchar.
bool isTokenChar(char c) { return isAlnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos; }

// RFC 8187 attr-char.
bool isAttrChar(char c) { return isAlnum(c) || std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos; }

// RFC 9110 qdtext and the second octet of a quoted-pair: HTAB, SP, visible
// ASCII and obs-text (clients put UTF-8 file names in quoted strings as they are).
bool isQuotedChar(char c) {
  const auto byte = static_cast<uint8_t>(c);
  return byte == '\t' || (byte >= 0x20 && byte != 0x7F);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint8_t low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    const auto second = static_cast<uint8_t>(text[i + 1]);
    if (second < low || second > high) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((static_cast<uint8_t>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

class FieldScanner {
 public:
  explicit FieldScanner(std::string_view field) : field_(field) {}

  bool atEnd() const { return at_ == field_.size(); }
  char peek() const { return field_[at_]; }
  void skip() { ++at_; }
  void skipWhitespace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t')) ++at_;
  }
  std::string_view token() {
    const size_t start = at_;
    while (!atEnd() && isTokenChar(peek())) ++at_;
    return field_.substr(start, at_ - start);
  }
  // After the opening quote; through the closing one.
  Result<std::string> quotedRest() {
    std::string out;
    while (!atEnd()) {
      char c = field_[at_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (atEnd()) break;
        c = field_[at_++];
      }
      if (!isQuotedChar(c)) return Error{"control character in a quoted string"};
      out += c;
    }
    return Error{"unterminated quoted string"};
  }
  // "'x'" or "the end", for messages.
  std::string here() const { return atEnd() ? "the end" : "'" + std::string(1, peek()) + "'"; }

 private:
  std::string_view field_;
  size_t at_ = 0;
};

Result<std::string> parameterValue(FieldScanner& scan, const std::string& name) {
  if (!scan.atEnd() && scan.peek() == '"') {
    scan.skip();
    auto quoted = scan.quotedRest();
    if (!quoted) return quoted.error().wrap("parameter '" + name + "'");
    return quoted;
  }
  const std::string_view token = scan.token();
  if (token.empty()) {
    return Error{"parameter '" + name + "': expected a token or a quoted string at " + scan.here()};
  }
  return std::string(token);
}

}  // namespace

std::optional<std::string_view> ParameterizedValue::parameter(std::string_view name) const {
  for (const auto& p : parameters) {
    if (p.name == name) return std::string_view(p.value);
  }
  return std::nullopt;
}

Result<ParameterizedValue> parseParameterizedValue(std::string_view field) {
  FieldScanner scan(field);
  scan.skipWhitespace();
  std::string value(scan.token());
  if (!value.empty() && !scan.atEnd() && scan.peek() == '/') {
    scan.skip();
    const std::string_view subtype = scan.token();
    if (subtype.empty()) return Error{"'" + value + "/' has no subtype"};
    value += '/';
    value += subtype;
  }
  if (value.empty()) return Error{"expected a value at " + scan.here()};

  ParameterizedValue out;
  out.value = lowered(value);
  while (true) {
    scan.skipWhitespace();
    if (scan.atEnd()) break;
    if (scan.peek() != ';') return Error{"expected ';' at " + scan.here() + " after '" + out.value + "'"};
    scan.skip();
    scan.skipWhitespace();
    if (scan.atEnd() || scan.peek() == ';') continue;  // an empty parameter is allowed
    const std::string name = lowered(scan.token());
    if (name.empty()) return Error{"expected a parameter name at " + scan.here()};
    if (scan.atEnd() || scan.peek() != '=') return Error{"parameter '" + name + "' has no '=' and value"};
    scan.skip();
    auto parameterText = parameterValue(scan, name);
    if (!parameterText) return parameterText.error();
    if (out.parameter(name)) return Error{"parameter '" + name + "' is given twice"};
    out.parameters.push_back({name, std::move(*parameterText)});
  }
  return out;
}

Result<std::string> decodeExtValue(std::string_view extValue) {
  const size_t charsetEnd = extValue.find('\'');
  const size_t languageEnd = charsetEnd == std::string_view::npos ? charsetEnd : extValue.find('\'', charsetEnd + 1);
  if (languageEnd == std::string_view::npos) return Error{"expected charset'language'value"};
  const std::string charset = lowered(extValue.substr(0, charsetEnd));
  const bool latin1 = charset == "iso-8859-1";
  if (charset != "utf-8" && !latin1) return Error{"charset '" + charset + "' is not UTF-8 or ISO-8859-1"};

  std::string bytes;
  const std::string_view encoded = extValue.substr(languageEnd + 1);
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '%') {
      const int hi = i + 2 < encoded.size() ? hexValue(encoded[i + 1]) : -1;
      const int lo = hi >= 0 ? hexValue(encoded[i + 2]) : -1;
      if (lo < 0) return Error{"'%' is not followed by two hex digits"};
      bytes += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (isAttrChar(c)) {
      bytes += c;
    } else {
      return Error{"character '" + std::string(1, c) + "' must be percent-encoded"};
    }
  }
  if (!latin1) {
    if (!isValidUtf8(bytes)) return Error{"the value is not valid UTF-8"};
    return bytes;
  }
  std::string utf8;
  for (const char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    if (byte < 0x80) {
      utf8 += c;
    } else {
      utf8 += static_cast<char>(0xC0 | (byte >> 6));
      utf8 += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return utf8;
}

std::string mediaTypeOf(std::string_view contentType) {
  std::string_view type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return lowered(type);
}

}  // namespace warden::http
