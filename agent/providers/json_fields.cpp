#include "providers/json_fields.h"

namespace warden::providers {

std::optional<JsonValue> member(JsonValue object, std::string_view key) {
  auto value = object.find(key);
  if (value && value->isNull()) return std::nullopt;
  return value;
}

std::string fieldName(std::string_view pointer) {
  std::string out;
  size_t start = 1;
  while (start <= pointer.size()) {
    size_t end = pointer.find('/', start);
    if (end == std::string_view::npos) end = pointer.size();
    const std::string_view segment = pointer.substr(start, end - start);
    const bool index = !segment.empty() && segment.find_first_not_of("0123456789") == std::string_view::npos;
    if (index) {
      out += '[';
      out += segment;
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      for (size_t i = 0; i < segment.size(); ++i) {
        if (segment[i] == '~' && i + 1 < segment.size()) {
          out += segment[i + 1] == '1' ? '/' : '~';
          ++i;
        } else {
          out += segment[i];
        }
      }
    }
    start = end + 1;
  }
  return out.empty() ? "request body" : out;
}

}  // namespace warden::providers
