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

const Json* FieldReader::typed(const Json* value, TypeTest is, std::string_view what, const std::string& pointer) {
  if (value == nullptr) return nullptr;
  if (!(value->*is)()) {
    expected(pointer, what);
    return nullptr;
  }
  return value;
}

const Json* FieldReader::typed(const Json& object, std::string_view key, const std::string& at, TypeTest is,
                               std::string_view what) {
  const Json* value = member(object, key);
  if (value == nullptr || (value->*is)()) return value;
  expected(pointerAppend(at, key), what);
  return nullptr;
}

std::optional<std::string> FieldReader::string(const Json& object, std::string_view key, const std::string& at) {
  const Json* value = typed(object, key, at, &Json::is_string, "a string");
  return value != nullptr ? std::optional(value->get<std::string>()) : std::nullopt;
}

std::optional<std::string> FieldReader::string(const Json* value, const std::string& pointer) {
  value = typed(value, &Json::is_string, "a string", pointer);
  return value != nullptr ? std::optional(value->get<std::string>()) : std::nullopt;
}

std::optional<bool> FieldReader::boolean(const Json& object, std::string_view key, const std::string& at) {
  const Json* value = typed(object, key, at, &Json::is_boolean, "true or false");
  return value != nullptr ? std::optional(value->get<bool>()) : std::nullopt;
}

std::optional<double> FieldReader::number(const Json& object, std::string_view key, const std::string& at) {
  const Json* value = typed(object, key, at, &Json::is_number, "a number");
  return value != nullptr ? std::optional(value->get<double>()) : std::nullopt;
}

std::optional<double> FieldReader::number(const Json* value, const std::string& pointer) {
  value = typed(value, &Json::is_number, "a number", pointer);
  return value != nullptr ? std::optional(value->get<double>()) : std::nullopt;
}

std::optional<uint64_t> FieldReader::count(const Json& object, std::string_view key, const std::string& at) {
  const Json* value = typed(object, key, at, &Json::is_number_unsigned, "a non-negative integer");
  return value != nullptr ? std::optional(value->get<uint64_t>()) : std::nullopt;
}

std::optional<uint64_t> FieldReader::count(const Json* value, const std::string& pointer) {
  value = typed(value, &Json::is_number_unsigned, "a non-negative integer", pointer);
  return value != nullptr ? std::optional(value->get<uint64_t>()) : std::nullopt;
}

Result<Request> readRequestObject(std::string_view body, const ParseLimits& limits,
                                  const std::function<Result<Request>(const Json& body)>& read) {
  auto json = parseJsonBody(body, limits.maxDepth);
  if (!json) return json.error().wrap("request body");
  if (!json->is_object()) return Error{"request body: expected a JSON object"};
  try {
    return read(*json);
  } catch (const std::exception& e) {
    // Every access of the readers is type-checked; this is the last guard.
    return Error{std::string("request body: ") + e.what()};
  }
}

}  // namespace warden::providers
