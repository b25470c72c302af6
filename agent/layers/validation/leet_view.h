// Leetspeak read as letters ("1gn0r3" -> "ignore"), byte for byte.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace warden::validation {

// Each byte's reading: a leetspeak digit or symbol its letter, any other
// byte itself. Applying it twice changes nothing.
inline constexpr std::array<char, 256> kLeetTable = [] {
  std::array<char, 256> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = static_cast<char>(i);
  table['0'] = 'o';
  table['1'] = 'i';
  table['3'] = 'e';
  table['4'] = 'a';
  table['5'] = 's';
  table['7'] = 't';
  table['8'] = 'b';
  table['9'] = 'g';
  table['@'] = 'a';
  table['$'] = 's';
  table['!'] = 'i';
  table['|'] = 'l';
  return table;
}();

// Same length as `folded`; non-ASCII bytes are unchanged. 1 reads as i (not
// l): "1nstruct10ns", "pr3v10us" and "j41lbr34k" need it.
std::string leetView(std::string_view folded);

}  // namespace warden::validation
