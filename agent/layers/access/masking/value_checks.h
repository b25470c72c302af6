// The checks a candidate passes before it is reported: check digits for
// numbers that have them (cards, IBANs), issuing rules (SSNs), parsers
// (IP addresses), and for secret values a shape test, because a keyword
// followed by "=" is just as often code, a placeholder or an empty string.
#pragma once

#include <string_view>

#include "layers/access/masking/masking_rule.h"

namespace warden::masking {

// `quoted`: the value stood in quotes, so a bare word there is data, not code.
bool passesCheck(ValueCheck check, std::string_view value, bool quoted = true);

// Shannon entropy of the bytes, bits per byte.
double shannonEntropy(std::string_view value);

bool luhnValid(std::string_view number);   // digits with optional spaces / dashes, 13-19 digits
bool ibanValid(std::string_view iban);     // country length and mod-97 == 1; spaces allowed
bool usSsnValid(std::string_view ssn);     // area not 000/666/9xx, group not 00, serial not 0000
bool ipv4Valid(std::string_view address);  // four decimal octets 0-255, no leading zeros
bool ipv6Valid(std::string_view address);
bool phoneValid(std::string_view number);  // 7-15 digits, not one digit repeated
bool emailValid(std::string_view address);
// Not empty, not a placeholder ("<your-key>", "xxxx", "changeme", "${VAR}"),
// not code (calls, identifiers, None), two or more character classes.
bool secretValueValid(std::string_view value, bool quoted);
bool highEntropyValid(std::string_view value);
// A token of a known format that is not a documentation example or test
// filler (EXAMPLE, xxxx, 1234567...).
bool tokenValid(std::string_view value);

}  // namespace warden::masking
