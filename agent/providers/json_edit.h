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
  // The new value of that string; for an object or array (whose TextRef is
  // its JSON text), its new JSON text.
  std::string text;
};

// Applies every edit to `body` and re-serialises it. Fails (and changes
// nothing) if the body is not JSON, a pointer names no string, object or
// array, or an object's or array's new text is not JSON that differs from it
// only inside strings.
// The caller sets Content-Length from the result's size.
Result<std::string> applyEdits(std::string_view body, const std::vector<TextEdit>& edits);

}  // namespace warden::providers
