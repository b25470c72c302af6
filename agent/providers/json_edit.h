// Changing the text of a request (masking a secret, removing smuggled
// characters) and writing the body back out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::providers {

struct TextEdit {
  std::string pointer;  // a TextRef::pointer of the parsed request
  std::string text;     // the new value of that string
};

// Applies every edit to `body` and re-serialises it. Fails (and changes
// nothing) if the body is not JSON or a pointer does not name a string.
// The caller sets Content-Length from the result's size.
Result<std::string> applyEdits(std::string_view body, const std::vector<TextEdit>& edits);

}  // namespace warden::providers
