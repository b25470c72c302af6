#include "layers/access/glob.h"

#include <cstddef>

namespace warden::access {
namespace {

// Index just past the class starting at pattern[open] == '[', or npos when it
// is not closed. A ']' right after '[' or '[!' is a member, as in fnmatch.
size_t classEnd(std::string_view pattern, size_t open) {
  size_t i = open + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;
  while (i < pattern.size() && pattern[i] != ']') {
    if (pattern[i] == '\\') ++i;
    ++i;
  }
  return i < pattern.size() ? i + 1 : std::string_view::npos;
}

bool classContains(std::string_view pattern, size_t open, size_t end, char c) {
  size_t i = open + 1;
  bool negated = false;
  if (pattern[i] == '!' || pattern[i] == '^') {
    negated = true;
    ++i;
  }
  bool found = false;
  bool first = true;
  const size_t close = end - 1;
  while (i < close && (first || pattern[i] != ']')) {
    first = false;
    char low = pattern[i];
    if (low == '\\' && i + 1 < close) low = pattern[++i];
    char high = low;
    if (i + 2 < close && pattern[i + 1] == '-') {
      high = pattern[i + 2];
      if (high == '\\' && i + 3 < close) high = pattern[++i + 2];
      i += 2;
    }
    if (static_cast<unsigned char>(c) >= static_cast<unsigned char>(low) &&
        static_cast<unsigned char>(c) <= static_cast<unsigned char>(high)) {
      found = true;
    }
    ++i;
  }
  return found != negated;
}

// Matches one pattern element at pattern[p] against c; sets `next` past it.
bool matchOne(std::string_view pattern, size_t p, char c, size_t& next) {
  switch (pattern[p]) {
    case '?':
      next = p + 1;
      return true;
    case '[': {
      next = classEnd(pattern, p);
      return classContains(pattern, p, next, c);
    }
    case '\\':
      next = p + 2;
      return pattern[p + 1] == c;
    default:
      next = p + 1;
      return pattern[p] == c;
  }
}

// Iterative wildcard match: on a mismatch, let the last '*' take one more
// character. Linear in practice, no recursion.
bool matchGeneral(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = ++p;
      starT = t;
      continue;
    }
    size_t next = 0;
    if (p < pattern.size() && matchOne(pattern, p, text[t], next)) {
      p = next;
      ++t;
      continue;
    }
    if (starP == std::string_view::npos) return false;
    p = starP;
    t = ++starT;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

Result<Glob> Glob::compile(std::string_view pattern) {
  if (pattern.empty()) return Error{"empty pattern"};
  Glob glob;
  glob.pattern_ = std::string(pattern);
  std::string fixed;
  size_t stars = 0, others = 0;
  bool leadingStar = false, trailingStar = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) return Error{"pattern '" + std::string(pattern) + "' ends with a lone backslash"};
      fixed += pattern[++i];
    } else if (c == '[') {
      const size_t end = classEnd(pattern, i);
      if (end == std::string_view::npos) return Error{"'[' in pattern '" + std::string(pattern) + "' is not closed"};
      const size_t first = i + 1 + ((pattern[i + 1] == '!' || pattern[i + 1] == '^') ? 1 : 0);
      for (size_t j = first; j + 2 < end - 1; ++j) {
        if (pattern[j] == '\\') {
          ++j;
          continue;
        }
        if (pattern[j + 1] == '-' && pattern[j + 2] != ']' &&
            static_cast<unsigned char>(pattern[j]) > static_cast<unsigned char>(pattern[j + 2])) {
          return Error{"range '" + std::string(pattern.substr(j, 3)) + "' in pattern '" + std::string(pattern) +
                       "' is reversed"};
        }
      }
      ++others;
      i = end - 1;
    } else if (c == '*') {
      ++stars;
      if (i == 0) leadingStar = true;
      if (i + 1 == pattern.size()) trailingStar = true;
    } else if (c == '?') {
      ++others;
    } else {
      fixed += c;
    }
  }
  glob.literal_ = fixed;
  if (stars == 0 && others == 0) {
    glob.kind_ = Kind::Literal;
  } else if (others == 0 && stars == 1 && pattern.size() == 1) {
    glob.kind_ = Kind::Anything;
  } else if (others == 0 && stars == 1 && trailingStar) {
    glob.kind_ = Kind::Prefix;
  } else if (others == 0 && stars == 1 && leadingStar) {
    glob.kind_ = Kind::Suffix;
  } else {
    glob.kind_ = Kind::General;
  }
  return glob;
}

bool Glob::matches(std::string_view text) const {
  switch (kind_) {
    case Kind::Literal: return text == literal_;
    case Kind::Prefix: return text.starts_with(literal_);
    case Kind::Suffix: return text.ends_with(literal_);
    case Kind::Anything: return true;
    case Kind::General: return matchGeneral(pattern_, text);
  }
  return false;
}

}  // namespace warden::access
