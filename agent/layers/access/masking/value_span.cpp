#include "layers/access/masking/value_span.h"

#include <algorithm>

namespace warden::masking {
namespace {

constexpr size_t kMaxValue = kMaxValueBytes;
constexpr size_t kMaxPemBlock = 64 * 1024;

bool isQuote(char c) { return c == '"' || c == '\'' || c == '`'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Ends an unquoted value: whitespace, quotes, and what separates fields in
// code, URLs, markup and JSON.
bool endsUnquoted(char c) {
  return isSpace(c) || isQuote(c) || c == ',' || c == ';' || c == '<' || c == '>' || c == ')' || c == ']' || c == '}' ||
         c == '&' || c == '|' || c == '\\';
}

bool isBase64Line(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=' || isSpace(c) || c == '\\' || c == '-' || c == ':' || c == ',';
}

}  // namespace

std::optional<ValueSpan> valueAfter(std::string_view text, size_t from) {
  if (from > text.size()) return std::nullopt;
  // The pattern may have taken the opening quote.
  char quote = from > 0 && isQuote(text[from - 1]) ? text[from - 1] : '\0';
  size_t i = from;
  if (!quote) {
    while (i < text.size() && i - from < 4 && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i + 1 < text.size() && text[i] == '\\' && isQuote(text[i + 1])) ++i;  // JSON inside a string: \"value\"
    if (i < text.size() && isQuote(text[i])) quote = text[i++];
  }
  const size_t start = i;
  if (quote) {
    while (i < text.size() && i - start <= kMaxValue && text[i] != quote && text[i] != '\n') ++i;
    if (i >= text.size() || text[i] != quote || i - start > kMaxValue) return std::nullopt;
    size_t end = i;
    if (end > start && text[end - 1] == '\\') --end;  // the escape of \"
    if (end == start) return std::nullopt;
    return ValueSpan{start, end - start, true};
  }
  while (i < text.size() && i - start <= kMaxValue && !endsUnquoted(text[i])) ++i;
  // A sentence's full stop is not part of the value.
  while (i > start && (text[i - 1] == '.' || text[i - 1] == ':')) --i;
  if (i == start || i - start > kMaxValue) return std::nullopt;
  return ValueSpan{start, i - start, false};
}

std::optional<ValueSpan> urlPassword(std::string_view text, size_t from) {
  size_t i = from;
  while (i < text.size() && i - from <= 256 && text[i] != '@') {
    const char c = text[i];
    if (isSpace(c) || isQuote(c) || c == '/' || c == '<' || c == '>') return std::nullopt;
    ++i;
  }
  if (i >= text.size() || text[i] != '@' || i == from) return std::nullopt;
  return ValueSpan{from, i - from, false};
}

std::optional<ValueSpan> pemBlock(std::string_view text, size_t begin, size_t beginLineEnd) {
  // A BEGIN line alone (documentation, a parser's constant) holds no key.
  constexpr size_t kMinBody = 32;
  const size_t limit = std::min(text.size(), beginLineEnd + kMaxPemBlock);
  const std::string_view window = text.substr(0, limit);
  const size_t endLine = window.find("-----END", beginLineEnd);
  if (endLine != std::string_view::npos) {
    const size_t close = window.find("-----", endLine + 8);
    if (close != std::string_view::npos) {
      if (endLine - beginLineEnd < kMinBody) return std::nullopt;
      return ValueSpan{begin, close + 5 - begin, false};
    }
  }
  size_t i = beginLineEnd;
  while (i < limit && isBase64Line(text[i])) ++i;
  while (i > beginLineEnd && isSpace(text[i - 1])) --i;
  if (i - beginLineEnd < kMinBody) return std::nullopt;
  return ValueSpan{begin, i - begin, false};
}

}  // namespace warden::masking
