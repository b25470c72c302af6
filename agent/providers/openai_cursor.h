// A place in a JSON body: the JSON pointer that layers edit through
// (TextRef::pointer), also named the way a client developer reads it in an
// error ("messages[1].content"). Typed member readers report a wrong type at
// that place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/json_body.h"
#include "providers/json_fields.h"

namespace warden::providers::openai {

class Cursor {
 public:
  Cursor child(std::string_view key) const;
  Cursor child(size_t index) const;

  const std::string& pointer() const { return pointer_; }
  // "messages[1].content"; "request body" at the root.
  std::string path() const { return fieldName(pointer_); }
  // "<path>: expected <what>"
  Error expected(std::string_view what) const;
  TextRef text(std::string_view value) const { return TextRef{std::string(value), pointer_}; }

 private:
  std::string pointer_;
};

// Typed optional members: absent or null is "not given", any other type
// than the expected one is an error at `at.child(key)`.
Result<std::optional<std::string_view>> optionalString(JsonValue object, const Cursor& at, std::string_view key);
Result<std::optional<JsonValue>> optionalArray(JsonValue object, const Cursor& at, std::string_view key);
Result<std::optional<JsonValue>> optionalObject(JsonValue object, const Cursor& at, std::string_view key);
Result<std::optional<bool>> optionalBool(JsonValue object, const Cursor& at, std::string_view key);
Result<std::optional<double>> optionalNumber(JsonValue object, const Cursor& at, std::string_view key);
Result<std::optional<uint64_t>> optionalCount(JsonValue object, const Cursor& at, std::string_view key);

// The same members required: absent or null is an error too.
Result<std::string_view> requiredString(JsonValue object, const Cursor& at, std::string_view key);
Result<JsonValue> requiredObject(JsonValue object, const Cursor& at, std::string_view key);

// The optional array member `key`, each element read by `read` (which
// returns a Result<T>) into `out`; the first error is returned.
template <typename T, typename Read>
Status readList(JsonValue object, const Cursor& at, std::string_view key, const Read& read, std::vector<T>& out) {
  auto list = optionalArray(object, at, key);
  if (!list) return list.error();
  if (!*list) return {};
  const Cursor listAt = at.child(key);
  size_t i = 0;
  for (JsonValue element : (*list)->elements()) {
    auto item = read(element, listAt.child(i++));
    if (!item) return item.error();
    out.push_back(std::move(*item));
  }
  return {};
}

// A non-negative integer, or nullopt (responses are read leniently).
std::optional<uint64_t> countOf(std::optional<JsonValue> value);
// The string member `key`, or "" when absent or not a string.
std::string stringOr(JsonValue object, std::string_view key);

}  // namespace warden::providers::openai
