#include "providers/openai_cursor.h"

#include <cmath>

namespace warden::providers::openai {

Cursor Cursor::child(std::string_view key) const {
  Cursor next;
  next.pointer_ = pointerAppend(pointer_, key);
  return next;
}

Cursor Cursor::child(size_t index) const {
  Cursor next;
  next.pointer_ = pointerAppend(pointer_, index);
  return next;
}

Error Cursor::expected(std::string_view what) const { return Error{path() + ": expected " + std::string(what)}; }

Result<std::optional<std::string_view>> optionalString(JsonValue object, const Cursor& at, std::string_view key) {
  const auto value = member(object, key);
  if (!value) return std::optional<std::string_view>{};
  if (!value->isString()) return at.child(key).expected("a string");
  return std::optional<std::string_view>{value->string()};
}

Result<std::optional<JsonValue>> optionalArray(JsonValue object, const Cursor& at, std::string_view key) {
  auto value = member(object, key);
  if (value && !value->isArray()) return at.child(key).expected("an array");
  return value;
}

Result<std::optional<JsonValue>> optionalObject(JsonValue object, const Cursor& at, std::string_view key) {
  auto value = member(object, key);
  if (value && !value->isObject()) return at.child(key).expected("an object");
  return value;
}

Result<std::optional<bool>> optionalBool(JsonValue object, const Cursor& at, std::string_view key) {
  const auto value = member(object, key);
  if (!value) return std::optional<bool>{};
  if (!value->isBool()) return at.child(key).expected("true or false");
  return std::optional<bool>{value->boolean()};
}

Result<std::optional<double>> optionalNumber(JsonValue object, const Cursor& at, std::string_view key) {
  const auto value = member(object, key);
  if (!value) return std::optional<double>{};
  if (!value->isNumber()) return at.child(key).expected("a number");
  return std::optional<double>{value->number()};
}

Result<std::optional<uint64_t>> optionalCount(JsonValue object, const Cursor& at, std::string_view key) {
  const auto value = member(object, key);
  if (!value) return std::optional<uint64_t>{};
  const auto count = countOf(value);
  if (!count) return at.child(key).expected("a non-negative integer");
  return count;
}

Result<std::string_view> requiredString(JsonValue object, const Cursor& at, std::string_view key) {
  auto value = optionalString(object, at, key);
  if (!value) return value.error();
  if (!*value) return at.child(key).expected("a string (it is required)");
  return **value;
}

Result<JsonValue> requiredObject(JsonValue object, const Cursor& at, std::string_view key) {
  auto value = optionalObject(object, at, key);
  if (!value) return value.error();
  if (!*value) return at.child(key).expected("an object (it is required)");
  return **value;
}

std::optional<uint64_t> countOf(std::optional<JsonValue> value) {
  if (!value) return std::nullopt;
  if (auto count = value->count()) return count;
  if (value->isNumber() && !value->isInteger()) {
    // 100.0 is how some JSON writers spell 100.
    const double n = value->number();
    if (n >= 0 && n < 1.8e19 && std::floor(n) == n) return static_cast<uint64_t>(n);
  }
  return std::nullopt;
}

std::string stringOr(JsonValue object, std::string_view key) {
  const auto value = member(object, key);
  return value && value->isString() ? value->str() : std::string{};
}

}  // namespace warden::providers::openai
