// JSON bodies parsed with a nesting limit and errors as values, read through
// views that never throw, and the pointers (RFC 6901) that name where a value
// was found.
//
// Parsing is simdjson's DOM: every inspected request and every stream event
// is parsed on the request path, and it does that at several GB/s where a
// node-per-value tree costs tens of microseconds for a 4 KB chat request.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::providers {

// One value of a parsed document; valid while its JsonDocument lives. Cheap
// to copy. Accessors of the wrong type answer empty ("", 0, nullopt) rather
// than throw: readers test the type first and report it in their words.
class JsonValue {
 public:
  JsonValue() = default;
  explicit JsonValue(simdjson::dom::element element) : element_(element) {}

  bool isObject() const { return element_.is_object(); }
  bool isArray() const { return element_.is_array(); }
  bool isString() const { return element_.is_string(); }
  bool isBool() const { return element_.is_bool(); }
  bool isNull() const { return element_.is_null(); }
  bool isNumber() const { return element_.is_number(); }
  bool isInteger() const { return element_.is_int64() || element_.is_uint64(); }
  bool isCount() const;  // a non-negative integer

  std::string_view string() const;  // "" when not a string
  std::string str() const { return std::string(string()); }
  bool boolean() const;                   // false when not a boolean
  double number() const;                  // 0 when not a number
  std::optional<uint64_t> count() const;  // a non-negative integer, else nullopt
  std::optional<int64_t> integer() const;

  // Elements of an array or members of an object; 0 for anything else.
  size_t size() const;
  bool empty() const { return size() == 0; }

  // The member `key`, present even when JSON null; nullopt when absent or
  // when this is not an object.
  std::optional<JsonValue> find(std::string_view key) const;
  // The value an RFC 6901 pointer names below this one ("" is this one).
  std::optional<JsonValue> atPointer(std::string_view pointer) const;

  // Minified JSON text of this value (tool arguments given as an object).
  std::string toJson() const;
  // "object", "array", "string", "number", "boolean" or "null".
  const char* typeName() const;

  class ElementIterator;
  class MemberIterator;
  template <typename Iterator>
  struct Range {
    Iterator first, last;
    Iterator begin() const { return first; }
    Iterator end() const { return last; }
  };
  // for (JsonValue item : value.elements()); empty when not an array.
  Range<ElementIterator> elements() const;
  // for (auto [key, value] : value.members()); empty when not an object.
  Range<MemberIterator> members() const;

 private:
  simdjson::dom::element element_;
};

class JsonValue::ElementIterator {
 public:
  ElementIterator() = default;
  explicit ElementIterator(simdjson::dom::array::iterator it) : it_(it) {}
  JsonValue operator*() const { return JsonValue(*it_); }
  ElementIterator& operator++() {
    ++it_;
    return *this;
  }
  bool operator==(const ElementIterator& other) const { return !(it_ != other.it_); }

 private:
  simdjson::dom::array::iterator it_;
};

struct JsonMember {
  std::string_view key;
  JsonValue value;
};

class JsonValue::MemberIterator {
 public:
  MemberIterator() = default;
  explicit MemberIterator(simdjson::dom::object::iterator it) : it_(it) {}
  JsonMember operator*() const { return JsonMember{it_.key(), JsonValue(it_.value())}; }
  MemberIterator& operator++() {
    ++it_;
    return *this;
  }
  bool operator==(const MemberIterator& other) const { return !(it_ != other.it_); }

 private:
  simdjson::dom::object::iterator it_;
};

// A parsed body. Owns its parser (borrowed from a small per-thread pool and
// given back on destruction, so the steady state allocates nothing), which
// owns the values: keep the document alive while its values are read.
class JsonDocument {
 public:
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
  ~JsonDocument();

  JsonValue root() const { return root_; }

 private:
  friend Result<JsonDocument> parseJsonBody(std::string_view body, size_t maxDepth);
  JsonDocument(std::unique_ptr<simdjson::dom::parser> parser, JsonValue root);

  std::unique_ptr<simdjson::dom::parser> parser_;
  JsonValue root_;
};

// Refuses nesting deeper than `maxDepth` (the top-level value is depth 1),
// invalid UTF-8 anywhere, and an object naming the same member twice: the
// upstream's parser keeps one of them and an inspection could read the other.
Result<JsonDocument> parseJsonBody(std::string_view body, size_t maxDepth);

// "/messages" + "2" -> "/messages/2"; escapes '~' and '/' in keys.
std::string pointerAppend(std::string_view base, std::string_view key);
std::string pointerAppend(std::string_view base, size_t index);

}  // namespace warden::providers
