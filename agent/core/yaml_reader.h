// The checked walk over a YAML file (warden.yaml, access policies): every
// key known, every value typed and ranged, and the first mistake reported
// with its file:line:column and key path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::yaml_reading {

inline constexpr int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

inline std::string childPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

inline std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "nothing";
  }
}

// Decimal or 0x-hex; yaml-cpp's own conversion reads a leading 0 as octal,
// which would turn "port: 0443" into 291.
inline std::optional<int64_t> parseInteger(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

struct Entry {
  std::string key;
  YAML::Node keyNode;
  YAML::Node value;
};

// The checked keys of one YAML map.
struct MapView {
  std::string path;
  YAML::Mark mark;
  std::vector<Entry> entries;

  const Entry* find(std::string_view key) const {
    for (const auto& e : entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
};

// Walks the tree keeping only the first error (with its position), so the
// parser reads as a list of fields instead of a check after every line.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }

  void fail(const YAML::Mark& mark, const std::string& path, const std::string& message) {
    if (error_) return;
    std::string where = source_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    error_ = Error{where + ": " + path + ": " + message};
  }

  void fail(const Entry& entry, const std::string& path, const std::string& message) {
    fail(markOf(entry), path, message);
  }

  static YAML::Mark markOf(const Entry& entry) {
    // A missing value's mark points past the key's line: the key is clearer.
    YAML::Mark mark = entry.value.Mark();
    return mark.is_null() || entry.value.IsNull() ? entry.keyNode.Mark() : mark;
  }

  // A null node (a key with nothing under it) reads as an empty map: every
  // field keeps its default.
  MapView map(const YAML::Node& node, const YAML::Mark& mark, const std::string& path,
              std::initializer_list<std::string_view> known) {
    MapView view{path, node.Mark().is_null() ? mark : node.Mark(), {}};
    if (failed() || node.IsNull()) return view;
    if (!node.IsMap()) {
      fail(view.mark, path.empty() ? "(top level)" : path, "expected a map of settings, got " + describe(node));
      return view;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: the iterator's -> hands out a temporary pair.
      YAML::Node keyNode = it->first;
      YAML::Node value = it->second;
      std::string key = keyNode.IsScalar() ? keyNode.Scalar() : "";
      if (key.empty()) {
        fail(keyNode.Mark(), path.empty() ? "(top level)" : path, "keys must be plain names");
        return view;
      }
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(keyNode.Mark(), childPath(path, key), "unknown key (known here: " + list + ")");
        return view;
      }
      if (view.find(key)) {
        fail(keyNode.Mark(), childPath(path, key), "duplicate key");
        return view;
      }
      view.entries.push_back(Entry{key, keyNode, value});
    }
    return view;
  }

  const Entry* scalar(const MapView& view, std::string_view key) {
    const Entry* e = view.find(key);
    if (!e || failed()) return nullptr;
    if (!e->value.IsScalar()) {
      fail(*e, childPath(view.path, key),
           e->value.IsNull() ? "has no value (remove the key to keep the default)"
                             : "expected a single value, got " + describe(e->value));
      return nullptr;
    }
    return e;
  }

  template <class T>
  const Entry* integer(const MapView& view, std::string_view key, int64_t min, int64_t max, T& out,
                       const char* what = nullptr) {
    const Entry* e = scalar(view, key);
    if (!e) return nullptr;
    const std::string& text = e->value.Scalar();
    auto value = parseInteger(text);
    if (!value) {
      fail(*e, childPath(view.path, key), "'" + text + "' is not a whole number");
      return nullptr;
    }
    if (*value < min || *value > max) {
      std::string range = what ? std::string(what) : "a number";
      fail(*e, childPath(view.path, key),
           text + " is not " + range + " (" + std::to_string(min) + "-" + std::to_string(max) + ")");
      return nullptr;
    }
    out = static_cast<T>(*value);
    return e;
  }

  template <class Duration>
  const Entry* duration(const MapView& view, std::string_view key, int64_t min, int64_t max, Duration& out) {
    int64_t count = out.count();
    const Entry* e = integer(view, key, min, max, count, "in range");
    if (e) out = Duration(count);
    return e;
  }

  const Entry* boolean(const MapView& view, std::string_view key, bool& out) {
    const Entry* e = scalar(view, key);
    if (!e) return nullptr;
    if (!YAML::convert<bool>::decode(e->value, out)) {
      fail(*e, childPath(view.path, key), "'" + e->value.Scalar() + "' is not true or false");
      return nullptr;
    }
    return e;
  }

  const Entry* string(const MapView& view, std::string_view key, std::string& out) {
    const Entry* e = scalar(view, key);
    if (e) out = e->value.Scalar();
    return e;
  }

  const Entry* fraction(const MapView& view, std::string_view key, double& out) {
    const Entry* e = scalar(view, key);
    if (!e) return nullptr;
    const std::string& text = e->value.Scalar();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
      fail(*e, childPath(view.path, key), "'" + text + "' is not a number from 0 to 1");
      return nullptr;
    }
    out = value;
    return e;
  }

  // "" allowed when `allowEmpty`; otherwise an absolute path.
  const Entry* absolutePath(const MapView& view, std::string_view key, std::string& out, bool allowEmpty = false) {
    std::string value;
    const Entry* e = string(view, key, value);
    if (!e) return nullptr;
    if (value.empty() && allowEmpty) {
      out.clear();
      return e;
    }
    if (value.empty() || value.front() != '/') {
      fail(*e, childPath(view.path, key), "'" + value + "' is not an absolute path");
      return nullptr;
    }
    out = value;
    return e;
  }

  // A list; a null node is an error because "empty" and "default" differ.
  const Entry* list(const MapView& view, std::string_view key) {
    const Entry* e = view.find(key);
    if (!e || failed()) return nullptr;
    if (!e->value.IsSequence()) {
      fail(*e, childPath(view.path, key),
           e->value.IsNull() ? "has no value (write [] for an empty list)" : "expected a list, got " + describe(e->value));
      return nullptr;
    }
    return e;
  }

 private:
  std::string source_;
  std::optional<Error> error_;
};

}  // namespace warden::yaml_reading
