// JSON bodies parsed with a nesting limit and errors as values, and the
// pointers (RFC 6901) that name where a value was found.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::providers {

using Json = nlohmann::json;

// Refuses nesting deeper than `maxDepth` before building it, so a hostile
// body of a million '[' costs neither stack nor memory. Invalid UTF-8 in a
// string is an error, like any other malformed JSON.
Result<Json> parseJsonBody(std::string_view body, size_t maxDepth);

// "/messages" + "2" -> "/messages/2"; escapes '~' and '/' in keys.
std::string pointerAppend(std::string_view base, std::string_view key);
std::string pointerAppend(std::string_view base, size_t index);

}  // namespace warden::providers
