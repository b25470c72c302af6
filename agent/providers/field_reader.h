// What every provider's request reader shares: typed member lookups that
// report a wrong type at the field's name, keeping the first problem found.
// A type error anywhere makes the request unreadable, and the first one is
// the one to report.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/adapter.h"
#include "providers/json_body.h"
#include "providers/json_fields.h"

namespace warden::providers {

class FieldReader {
 protected:
  // "<field>: expected <what>", unless a problem was found before.
  void expected(const std::string& pointer, std::string_view what);
  bool hasProblem() const { return problem_.has_value(); }
  // The request read, or the first problem found in it.
  Result<Request> result(Request request) const;

  // Typed members, by key under the object at pointer `at`, or as a value
  // already found at `pointer`. nullopt when absent or null, and when of
  // another type: a problem then.
  std::optional<std::string> string(JsonValue object, std::string_view key, const std::string& at);
  std::optional<std::string> string(std::optional<JsonValue> value, const std::string& pointer);
  std::optional<bool> boolean(JsonValue object, std::string_view key, const std::string& at);
  std::optional<double> number(JsonValue object, std::string_view key, const std::string& at);
  std::optional<double> number(std::optional<JsonValue> value, const std::string& pointer);
  std::optional<uint64_t> count(JsonValue object, std::string_view key, const std::string& at);  // >= 0
  std::optional<uint64_t> count(std::optional<JsonValue> value, const std::string& pointer);

 private:
  using TypeTest = bool (JsonValue::*)() const;
  // `value` when of the type `is` tests; nullptr when absent or not.
  std::optional<JsonValue> typed(std::optional<JsonValue> value, TypeTest is, std::string_view what,
                                 const std::string& pointer);
  // The same by key: the pointer is built only for a problem.
  std::optional<JsonValue> typed(JsonValue object, std::string_view key, const std::string& at, TypeTest is,
                    std::string_view what);

  std::optional<Error> problem_;
};

// Parses a request body within `limits` and hands it, known to be a JSON
// object, to `read`. Parse errors and exceptions come back as
// "request body: ..." errors.
Result<Request> readRequestObject(std::string_view body, const ParseLimits& limits,
                                  const std::function<Result<Request>(JsonValue body)>& read);

}  // namespace warden::providers
