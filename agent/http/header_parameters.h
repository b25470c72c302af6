// Header field values of the form `value *( OWS ";" OWS name=value )`: a
// media type with its parameters (RFC 9110 §8.3.1, Content-Type) and a
// disposition with its parameters (RFC 6266, Content-Disposition), and the
// RFC 8187 encoding of non-ASCII parameter values (filename*=UTF-8''...).
//
// Read strictly: anything two parsers could read differently (a parameter
// given twice, a stray character, an unterminated quote) is an error, since
// the server behind the proxy could take a different value from the one
// inspected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::http {

struct HeaderParameter {
  std::string name;   // lowercased: parameter names are case-insensitive
  std::string value;  // unquoted, quoted-pairs resolved; still RFC 8187-encoded for "name*"
};

struct ParameterizedValue {
  std::string value;  // lowercased: "multipart/form-data", "form-data"
  std::vector<HeaderParameter> parameters;

  // The value of parameter `name` (lowercase), when given.
  std::optional<std::string_view> parameter(std::string_view name) const;
};

// `field` is the whole field value. The leading value is a token, or
// type "/" subtype for a media type.
Result<ParameterizedValue> parseParameterizedValue(std::string_view field);

// An RFC 8187 ext-value (`charset "'" [ language ] "'" value-chars`) as UTF-8.
// Charsets UTF-8 and ISO-8859-1 (the two the RFC names); the decoded bytes
// of a UTF-8 value must be valid UTF-8.
Result<std::string> decodeExtValue(std::string_view extValue);

// "Text/Plain; charset=utf-8" -> "text/plain": the media type alone,
// lowercased, for comparisons; "" when there is none.
std::string mediaTypeOf(std::string_view contentType);

}  // namespace warden::http
