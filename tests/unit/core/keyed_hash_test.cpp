#include "core/keyed_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace warden {
namespace {

// SipHash-1-3 with the all-zero key, as CPython computes it for bytes
// (PYTHONHASHSEED=0: hash(bytes(range(n))) & (2**64 - 1)).
TEST(KeyedHashTest, SipHash13MatchesCPython) {
  std::string message;
  for (int i = 0; i < 16; ++i) message.push_back(static_cast<char>(i));
  const SipKey zero{};
  EXPECT_EQ(sipHash13(zero, std::string_view(message).substr(0, 1)), 0x68a914128e01e473ULL);
  EXPECT_EQ(sipHash13(zero, std::string_view(message).substr(0, 7)), 0x2f098ab0c751325aULL);
  EXPECT_EQ(sipHash13(zero, std::string_view(message).substr(0, 8)), 0xead411e67ebe2eeaULL);
  EXPECT_EQ(sipHash13(zero, std::string_view(message).substr(0, 15)), 0xf30eb725bb91c9eaULL);
  EXPECT_EQ(sipHash13(zero, "same text"), 0xef943ad801fb71afULL);
}

TEST(KeyedHashTest, TheProcessKeyIsDrawnOnceAndChangesTheHash) {
  const SipKey& key = processSipKey();
  EXPECT_EQ(&key, &processSipKey());
  EXPECT_TRUE(key.k0 != 0 || key.k1 != 0);
  EXPECT_NE(sipHash13(key, "same text"), sipHash13(SipKey{}, "same text"));
}

}  // namespace
}  // namespace warden
