#include "layers/validation/leet_view.h"

#include <array>

namespace warden::validation {
namespace {

constexpr std::array<char, 256> kLeetTable = [] {
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

}  // namespace

std::string leetView(std::string_view folded) {
  std::string out(folded.size(), '\0');
  for (size_t i = 0; i < folded.size(); ++i) out[i] = kLeetTable[static_cast<unsigned char>(folded[i])];
  return out;
}

}  // namespace warden::validation
