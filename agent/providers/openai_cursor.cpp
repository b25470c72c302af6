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

Result<const std::string*> optionalString(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return static_cast<const std::string*>(nullptr);
  if (!value->is_string()) return at.child(key).expected("a string");
  return &value->get_ref<const std::string&>();
}

Result<const Json*> optionalArray(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value != nullptr && !value->is_array()) return at.child(key).expected("an array");
  return value;
}

Result<const Json*> optionalObject(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value != nullptr && !value->is_object()) return at.child(key).expected("an object");
  return value;
}

Result<std::optional<bool>> optionalBool(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::optional<bool>{};
  if (!value->is_boolean()) return at.child(key).expected("true or false");
  return std::optional<bool>{value->get<bool>()};
}

Result<std::optional<double>> optionalNumber(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::optional<double>{};
  if (!value->is_number()) return at.child(key).expected("a number");
  return std::optional<double>{value->get<double>()};
}

Result<std::optional<uint64_t>> optionalCount(const Json& object, const Cursor& at, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::optional<uint64_t>{};
  const auto count = countOf(value);
  if (!count) return at.child(key).expected("a non-negative integer");
  return count;
}

Result<const std::string*> requiredString(const Json& object, const Cursor& at, std::string_view key) {
  auto value = optionalString(object, at, key);
  if (value.ok() && *value == nullptr) return at.child(key).expected("a string (it is required)");
  return value;
}

Result<const Json*> requiredObject(const Json& object, const Cursor& at, std::string_view key) {
  auto value = optionalObject(object, at, key);
  if (value.ok() && *value == nullptr) return at.child(key).expected("an object (it is required)");
  return value;
}

std::optional<uint64_t> countOf(const Json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) return value->get<uint64_t>();
  if (value->is_number_integer()) {
    const int64_t n = value->get<int64_t>();
    if (n >= 0) return static_cast<uint64_t>(n);
    return std::nullopt;
  }
  if (value->is_number_float()) {
    // 100.0 is how some JSON writers spell 100.
    const double n = value->get<double>();
    if (n >= 0 && n < 1.8e19 && std::floor(n) == n) return static_cast<uint64_t>(n);
  }
  return std::nullopt;
}

std::string stringOr(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string{};
}

}  // namespace warden::providers::openai
