#include "layers/access/masking/sensitive_data_scanner.h"

#include <gtest/gtest.h>

namespace warden::masking {
namespace {

SensitiveMatch at(size_t offset, size_t length, std::string type) {
  SensitiveMatch m;
  m.offset = offset;
  m.length = length;
  m.type = std::move(type);
  return m;
}

TEST(MaskTextTest, ReplacesEachMatchWithItsType) {
  EXPECT_EQ(maskText("key=abc mail=x@y.io", {at(4, 3, "secret"), at(13, 6, "email_address")}),
            "key=[REDACTED:secret] mail=[REDACTED:email_address]");
}

TEST(MaskTextTest, NoMatchesKeepsTheText) { EXPECT_EQ(maskText("plain text", {}), "plain text"); }

TEST(MaskTextTest, MatchesAtTheEdgesAndOutOfRange) {
  EXPECT_EQ(maskText("abc", {at(0, 3, "secret")}), "[REDACTED:secret]");
  // A match past the end or overlapping the one before is not scan()'s: skipped, never a crash.
  EXPECT_EQ(maskText("abcdef", {at(0, 2, "a"), at(1, 2, "b"), at(5, 9, "c")}), "[REDACTED:a]cdef");
}

}  // namespace
}  // namespace warden::masking
