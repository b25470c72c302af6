#include "providers/base64_size.h"

namespace warden::providers {
namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '-' || c == '_';
}

}  // namespace

uint64_t base64DecodedSize(std::string_view text) {
  uint64_t symbols = 0;
  for (const char c : text) symbols += isBase64Char(c) ? 1 : 0;
  // Four symbols carry three bytes; a final group of n symbols carries n - 1.
  return symbols / 4 * 3 + (symbols % 4 == 0 ? 0 : symbols % 4 - 1);
}

}  // namespace warden::providers
