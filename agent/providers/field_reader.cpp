#include "providers/field_reader.h"

#include <exception>

namespace warden::providers {

void FieldReader::expected(const std::string& pointer, std::string_view what) {
  if (!problem_) problem_ = Error{fieldName(pointer) + ": expected " + std::string(what)};
}

Result<Request> FieldReader::result(Request request) const {
  if (problem_) return *problem_;
  return request;
}

std::optional<JsonValue> FieldReader::typed(std::optional<JsonValue> value, TypeTest is, std::string_view what,
                                           const std::string& pointer) {
  if (!value) return std::nullopt;
  if (!((*value).*is)()) {
    expected(pointer, what);
    return std::nullopt;
  }
  return value;
}

std::optional<JsonValue> FieldReader::typed(JsonValue object, std::string_view key, const std::string& at, TypeTest is,
                                           std::string_view what) {
  auto value = member(object, key);
  if (!value || ((*value).*is)()) return value;
  expected(pointerAppend(at, key), what);
  return std::nullopt;
}

std::optional<std::string> FieldReader::string(JsonValue object, std::string_view key, const std::string& at) {
  const auto value = typed(object, key, at, &JsonValue::isString, "a string");
  return value ? std::optional(value->str()) : std::nullopt;
}

std::optional<std::string> FieldReader::string(std::optional<JsonValue> value, const std::string& pointer) {
  value = typed(value, &JsonValue::isString, "a string", pointer);
  return value ? std::optional(value->str()) : std::nullopt;
}

std::optional<bool> FieldReader::boolean(JsonValue object, std::string_view key, const std::string& at) {
  const auto value = typed(object, key, at, &JsonValue::isBool, "true or false");
  return value ? std::optional(value->boolean()) : std::nullopt;
}

std::optional<double> FieldReader::number(JsonValue object, std::string_view key, const std::string& at) {
  const auto value = typed(object, key, at, &JsonValue::isNumber, "a number");
  return value ? std::optional(value->number()) : std::nullopt;
}

std::optional<double> FieldReader::number(std::optional<JsonValue> value, const std::string& pointer) {
  value = typed(value, &JsonValue::isNumber, "a number", pointer);
  return value ? std::optional(value->number()) : std::nullopt;
}

std::optional<uint64_t> FieldReader::count(JsonValue object, std::string_view key, const std::string& at) {
  const auto value = typed(object, key, at, &JsonValue::isCount, "a non-negative integer");
  return value ? value->count() : std::nullopt;
}

std::optional<uint64_t> FieldReader::count(std::optional<JsonValue> value, const std::string& pointer) {
  value = typed(value, &JsonValue::isCount, "a non-negative integer", pointer);
  return value ? value->count() : std::nullopt;
}

Result<Request> readRequestObject(std::string_view body, const ParseLimits& limits,
                                  const std::function<Result<Request>(JsonValue body)>& read) {
  auto json = parseJsonBody(body, limits.maxDepth);
  if (!json) return json.error().wrap("request body");
  if (!json->root().isObject()) return Error{"request body: expected a JSON object"};
  try {
    return read(json->root());
  } catch (const std::exception& e) {
    // The readers' accessors do not throw; allocation still can.
    return Error{std::string("request body: ") + e.what()};
  }
}

}  // namespace warden::providers
