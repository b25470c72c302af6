// Runs of rot13-encoded words in the folded view. Any letters decode as
// rot13, so a run is taken only where the decoding reads as English (and
// the text itself did not).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace warden::validation {

struct Rot13Run {
  size_t begin = 0;  // in the folded text
  size_t end = 0;
  std::string decoded;
};

std::vector<Rot13Run> findRot13Runs(std::string_view folded);

}  // namespace warden::validation
