#include "identity/lru_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace warden::identity {
namespace {

TEST(IdentityLruCache, EvictsTheLeastRecentlyUsed) {
  LruCache<int, std::string> cache(2);
  cache.put(1, "one");
  cache.put(2, "two");
  ASSERT_NE(cache.find(1), nullptr);  // 2 is now the oldest
  cache.put(3, "three");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(2), nullptr);
  ASSERT_NE(cache.find(1), nullptr);
  EXPECT_EQ(*cache.find(1), "one");
  EXPECT_EQ(*cache.find(3), "three");
}

TEST(IdentityLruCache, PutReplacesAndEraseRemoves) {
  LruCache<int, std::string> cache(4);
  cache.put(1, "one");
  cache.put(1, "uno");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.find(1), "uno");
  EXPECT_TRUE(cache.erase(1));
  EXPECT_FALSE(cache.erase(1));
  EXPECT_EQ(cache.find(1), nullptr);
}

TEST(IdentityLruCache, ZeroCapacityStillHoldsOne) {
  LruCache<int, int> cache(0);
  cache.put(1, 10);
  cache.put(2, 20);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.find(2), 20);
}

}  // namespace
}  // namespace warden::identity
