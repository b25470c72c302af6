// Base64, hex and %-encoded runs embedded in a text, decoded when they decode
// to text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "layers/validation/normalizer.h"

namespace warden::validation {

struct EncodedRun {
  Encoding encoding = Encoding::Base64;
  size_t begin = 0;  // the encoded bytes in the scanned text
  size_t end = 0;
  std::string decoded;
};

// Shared by every level of one normalize() call.
struct DecodeBudget {
  size_t bytesLeft = 0;
  size_t segmentsLeft = 0;
  size_t skipped = 0;  // runs that would have been decoded but for the budget

  // Takes up to `wanted` bytes; 0 means the budget is spent (and counts it).
  size_t take(size_t wanted);
};

std::vector<EncodedRun> findEncodedRuns(std::string_view text, size_t minRun, DecodeBudget& budget);

}  // namespace warden::validation
