#include "metrics/exposition.h"

#include <charconv>
#include <cmath>

namespace warden::metrics {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
// Doubles below this are exact integers and are written without a fraction.
constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the well-formed UTF-8 sequence at the start of `s` (no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t utf8SequenceLength(std::string_view s) {
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // the range of the byte after the lead
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

void appendEscaped(std::string& out, std::string_view text, bool escapeQuote) {
  while (!text.empty()) {
    const size_t length = utf8SequenceLength(text);
    if (length == 0) {
      out += kReplacement;
      text.remove_prefix(1);
      continue;
    }
    const char c = text.front();
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escapeQuote) {
      out += "\\\"";
    } else {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
}

}  // namespace

bool isValidMetricName(std::string_view name) {
  if (name.empty() || !(isNameStart(name.front()) || name.front() == ':')) return false;
  for (char c : name) {
    if (!isNameStart(c) && !isDigit(c) && c != ':') return false;
  }
  return true;
}

bool isValidLabelName(std::string_view name) {
  if (name.empty() || !isNameStart(name.front()) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!isNameStart(c) && !isDigit(c)) return false;
  }
  return true;
}

void appendLabelValue(std::string& out, std::string_view value) { appendEscaped(out, value, true); }

void appendHelp(std::string& out, std::string_view help) { appendEscaped(out, help, false); }

void appendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < kExactIntegerLimit) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value));
    out.append(buffer, end);
  } else {
    // The shortest text that reads back as the same double.
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general);
    out.append(buffer, end);
  }
}

void appendValue(std::string& out, uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

void appendSeriesName(std::string& out, std::string_view name, std::span<const std::string> labelNames,
                      std::span<const std::string> labelValues, std::string_view extraName,
                      std::string_view extraValue) {
  out += name;
  if (labelNames.empty() && extraName.empty()) return;
  out += '{';
  bool first = true;
  const auto label = [&](std::string_view labelName, std::string_view labelValue) {
    if (!first) out += ',';
    first = false;
    out += labelName;
    out += "=\"";
    appendLabelValue(out, labelValue);
    out += '"';
  };
  for (size_t i = 0; i < labelNames.size() && i < labelValues.size(); ++i) label(labelNames[i], labelValues[i]);
  if (!extraName.empty()) label(extraName, extraValue);
  out += '}';
}

void appendHeader(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  appendHelp(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace warden::metrics
