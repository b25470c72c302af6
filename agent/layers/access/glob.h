// fnmatch-style patterns (* ? [abc] [a-z] [!x], backslash escapes) compiled
// once at load. '*' also crosses '/', so "system.slice/*" covers nested
// units. Patterns without wildcards compare as plain strings, which is what
// lets the policy set index rules by exact unit.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace warden::access {

class Glob {
 public:
  // The error says what is wrong with the pattern, without position: the
  // parser adds file:line:column.
  static Result<Glob> compile(std::string_view pattern);

  bool matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }
  // No wildcard: literal() is the only string it matches.
  bool isLiteral() const { return kind_ == Kind::Literal; }
  const std::string& literal() const { return literal_; }

 private:
  enum class Kind { Literal, Prefix, Suffix, Anything, General };

  Kind kind_ = Kind::Literal;
  std::string pattern_;
  std::string literal_;  // Literal, Prefix, Suffix: the fixed part, escapes removed
};

}  // namespace warden::access
