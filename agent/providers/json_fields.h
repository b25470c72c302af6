// Looking up members of the APIs' JSON objects, and naming a place in a body
// the way a client developer knows it, for error messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "providers/json_body.h"

namespace warden::providers {

// The member `key` of `object`. Absent and JSON null both mean "not given"
// to the APIs, so both read as nullptr, as does any `object` that is not an
// object.
std::optional<JsonValue> member(JsonValue object, std::string_view key);

// "/messages/1/content" -> "messages[1].content"; "request body" for the
// root. A key of digits alone reads as an index.
std::string fieldName(std::string_view pointer);

}  // namespace warden::providers
