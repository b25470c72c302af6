// Small helpers the offline tools share: a thread's CPU clock (figures on
// one core, whatever else runs) and base64 (encoded test inputs).
#pragma once

#include <string>
#include <string_view>

namespace warden::tools {

// CPU seconds this thread has used.
double threadCpuSeconds();

// Standard base64 with padding, no line breaks.
std::string base64Encode(std::string_view bytes);

}  // namespace warden::tools
