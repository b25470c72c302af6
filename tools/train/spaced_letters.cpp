#include "train/spaced_letters.h"

#include <random>

namespace warden::tools {
namespace {

bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

uint64_t textHash(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::string spacedLetters(std::string_view text, uint64_t seed) {
  std::mt19937_64 random(textHash(text) ^ (seed * 0x9E3779B97F4A7C15ULL));
  std::string out;
  out.reserve(text.size() * 2);
  size_t i = 0;
  while (i < text.size()) {
    if (!isAsciiLetter(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && isAsciiLetter(text[end])) ++end;
    // The raw 64-bit draw, not a distribution: distributions differ between
    // standard libraries and "same seed, same file" must hold across builds.
    const bool spaced = end - i >= 3 && random() % 4 != 0;
    for (size_t k = i; k < end; ++k) {
      if (spaced && k > i) out.push_back(' ');
      out.push_back(text[k]);
    }
    i = end;
  }
  return out;
}

}  // namespace warden::tools
