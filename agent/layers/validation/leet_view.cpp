#include "layers/validation/leet_view.h"

namespace warden::validation {

std::string leetView(std::string_view folded) {
  std::string out(folded.size(), '\0');
  for (size_t i = 0; i < folded.size(); ++i) out[i] = kLeetTable[static_cast<unsigned char>(folded[i])];
  return out;
}

}  // namespace warden::validation
