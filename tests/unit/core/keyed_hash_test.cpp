#include "core/keyed_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace warden {
namespace {

// The reference vectors of the SipHash paper: key 00 01 .. 0f, messages
// 00, 00 01, 00 01 02, ... (here the empty one, 7 and 8 bytes, and 15).
TEST(KeyedHashTest, MatchesTheReferenceVectors) {
  const SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  for (int i = 0; i < 16; ++i) message.push_back(static_cast<char>(i));
  EXPECT_EQ(sipHash24(key, std::string_view(message).substr(0, 0)), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(sipHash24(key, std::string_view(message).substr(0, 7)), 0xab0200f58b01d137ULL);
  EXPECT_EQ(sipHash24(key, std::string_view(message).substr(0, 8)), 0x93f5f5799a932462ULL);
  EXPECT_EQ(sipHash24(key, std::string_view(message).substr(0, 15)), 0xa129ca6149be45e5ULL);
}

TEST(KeyedHashTest, TheProcessKeyIsDrawnOnceAndChangesTheHash) {
  const SipKey& key = processSipKey();
  EXPECT_EQ(&key, &processSipKey());
  EXPECT_TRUE(key.k0 != 0 || key.k1 != 0);
  EXPECT_NE(sipHash24(key, "same text"), sipHash24(SipKey{}, "same text"));
}

}  // namespace
}  // namespace warden
