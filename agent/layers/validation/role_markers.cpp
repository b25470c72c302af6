#include "layers/validation/role_markers.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace warden::validation {
namespace {

struct Label {
  std::string_view word;
  MarkedRole role;
};

// Turn labels of the common chat formats. "AI:" and "Input:" are left out:
// benign prompts quote dialogues and task templates that use them.
constexpr std::array kLabels{
    Label{"system", MarkedRole::Privileged},   Label{"developer", MarkedRole::Privileged},
    Label{"assistant", MarkedRole::Assistant}, Label{"model", MarkedRole::Assistant},
    Label{"chatgpt", MarkedRole::Assistant},   Label{"gpt", MarkedRole::Assistant},
    Label{"claude", MarkedRole::Assistant},    Label{"human", MarkedRole::User},
    Label{"user", MarkedRole::User},
};
constexpr size_t kLongestLabel = 9;
constexpr size_t kMaxIndent = 8;

bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

const Label* labelOf(std::string_view word) {
  if (word.size() > kLongestLabel) return nullptr;
  char buf[kLongestLabel];
  for (size_t i = 0; i < word.size(); ++i) buf[i] = lower(word[i]);
  const std::string_view folded(buf, word.size());
  for (const Label& label : kLabels) {
    if (label.word == folded) return &label;
  }
  return nullptr;
}

// The marker starting the line at `at`, if any.
bool markerAt(std::string_view text, size_t at, RoleMarker& out) {
  const size_t end = text.size();
  size_t i = at;
  while (i < end && i - at < kMaxIndent && (text[i] == ' ' || text[i] == '\t')) ++i;
  bool heading = false;
  if (i < end && text[i] == '#') {
    size_t hashes = 0;
    while (i < end && text[i] == '#' && hashes < 6) ++i, ++hashes;
    while (i < end && text[i] == ' ') ++i;
    heading = true;
  } else if (i + 1 < end && text[i] == '*' && text[i + 1] == '*') {
    i += 2;
  } else if (i < end && text[i] == '>') {
    ++i;
    while (i < end && text[i] == ' ') ++i;
  }
  const size_t wordStart = i;
  while (i < end && isLetter(text[i]) && i - wordStart <= kLongestLabel) ++i;
  const Label* label = labelOf(text.substr(wordStart, i - wordStart));
  if (!label) return false;
  if (i + 1 < end && text[i] == '*' && text[i + 1] == '*') i += 2;
  while (i < end && (text[i] == ' ' || text[i] == '\t')) ++i;
  const bool colon = i < end && text[i] == ':';
  // "### System" alone on its line opens a section as a colon would.
  const bool headingLine = heading && (i == end || text[i] == '\n' || text[i] == '\r');
  if (!colon && !headingLine) return false;
  out.role = label->role;
  out.span = Span{wordStart, i + (colon ? 1 : 0) - wordStart};
  return true;
}

}  // namespace

std::vector<RoleMarker> findRoleMarkers(std::string_view text, size_t maxBytes, size_t maxMarkers) {
  text = text.substr(0, std::min(maxBytes, text.size()));
  std::vector<RoleMarker> markers;
  size_t at = 0;
  while (at < text.size() && markers.size() < maxMarkers) {
    RoleMarker marker;
    if (markerAt(text, at, marker)) markers.push_back(marker);
    const void* newline = std::memchr(text.data() + at, '\n', text.size() - at);
    if (!newline) break;
    at = static_cast<size_t>(static_cast<const char*>(newline) - text.data()) + 1;
  }
  return markers;
}

}  // namespace warden::validation
