// A place in a JSON body, named twice: the JSON pointer that layers edit
// through (TextRef::pointer) and the path a client developer reads in an
// error ("messages[1].content"). Typed member readers report a wrong type at
// that path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/conversation.h"
#include "providers/json_body.h"

namespace warden::providers::openai {

class Cursor {
 public:
  Cursor child(std::string_view key) const;
  Cursor child(size_t index) const;

  const std::string& pointer() const { return pointer_; }
  // "messages[1].content"; "request body" at the root.
  std::string path() const;
  // "<path>: expected <what>"
  Error expected(std::string_view what) const;
  TextRef text(const std::string& value) const { return TextRef{value, pointer_}; }

 private:
  std::string pointer_;
  std::string path_;
};

// The member `key` of `object`; an absent or null member reads as nullptr,
// as the APIs treat them alike.
const Json* member(const Json& object, std::string_view key);

// Typed optional members: absent or null is "not given", any other type
// than the expected one is an error at `at.child(key)`.
Result<const std::string*> optionalString(const Json& object, const Cursor& at, std::string_view key);
Result<const Json*> optionalArray(const Json& object, const Cursor& at, std::string_view key);
Result<const Json*> optionalObject(const Json& object, const Cursor& at, std::string_view key);
Result<std::optional<bool>> optionalBool(const Json& object, const Cursor& at, std::string_view key);
Result<std::optional<double>> optionalNumber(const Json& object, const Cursor& at, std::string_view key);
Result<std::optional<uint64_t>> optionalCount(const Json& object, const Cursor& at, std::string_view key);

// The same members required: absent or null is an error too.
Result<const std::string*> requiredString(const Json& object, const Cursor& at, std::string_view key);
Result<const Json*> requiredObject(const Json& object, const Cursor& at, std::string_view key);

// A non-negative integer, or nullopt (responses are read leniently).
std::optional<uint64_t> countOf(const Json* value);
// The string member `key`, or "" when absent or not a string.
std::string stringOr(const Json& object, std::string_view key);

}  // namespace warden::providers::openai
