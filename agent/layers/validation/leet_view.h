// Leetspeak read as letters ("1gn0r3" -> "ignore"), byte for byte.
#pragma once

#include <string>
#include <string_view>

namespace warden::validation {

// Same length as `folded`; non-ASCII bytes are unchanged. 1 reads as i (not
// l): "1nstruct10ns", "pr3v10us" and "j41lbr34k" need it.
std::string leetView(std::string_view folded);

}  // namespace warden::validation
