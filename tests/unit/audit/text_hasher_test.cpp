#include "layers/audit/text_hasher.h"

#include <openssl/hmac.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "spool_test_support.h"

namespace warden::audit {
namespace {

std::string hashOf(const TextHasher& hasher, std::vector<std::string_view> texts) { return hasher.hash(texts); }

// The same value computed the plain way: HMAC-SHA256 of the length-prefixed
// concatenation, in one call.
std::string reference(const std::string& salt, const std::vector<std::string>& texts) {
  std::string input;
  for (const auto& text : texts) {
    for (int i = 7; i >= 0; --i) input += static_cast<char>((text.size() >> (8 * i)) & 0xff);
    input += text;
  }
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), digest, &length);
  std::string out = "hmac-sha256:";
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

TEST(TextHasherTest, IsAnHmacOfTheLengthPrefixedTexts) {
  const std::string salt(32, 'k');
  const TextHasher hasher(salt);
  EXPECT_EQ(hashOf(hasher, {"You are a helpful assistant.", "Hello"}),
            reference(salt, {"You are a helpful assistant.", "Hello"}));
  EXPECT_EQ(hashOf(hasher, {"same"}), hashOf(hasher, {"same"}));
  EXPECT_NE(hashOf(hasher, {"ab", "c"}), hashOf(hasher, {"a", "bc"})) << "where texts split matters";
  EXPECT_NE(hashOf(hasher, {"same"}), hashOf(TextHasher(std::string(32, 'j')), {"same"})) << "the salt matters";
  EXPECT_EQ(hashOf(hasher, {}).size(), std::string("hmac-sha256:").size() + 64);
}

// Workers share one hasher: each thread hashes with its own keyed copy.
TEST(TextHasherTest, ThreadsSharingOneHasherGetTheSameHashes) {
  const std::string salt(32, 'k');
  const TextHasher hasher(salt);
  const std::string expected = reference(salt, {"a prompt", "its completion"});
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (hashOf(hasher, {"a prompt", "its completion"}) != expected) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

// Each thread keeps a keyed copy between hashes: it must never be another
// hasher's, also when that one lived at the same address.
TEST(TextHasherTest, AThreadsCopyIsNeverAnotherSaltsOne) {
  const std::string saltK(32, 'k');
  const std::string saltJ(32, 'j');
  const TextHasher k(saltK);
  const TextHasher j(saltJ);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hashOf(k, {"prompt", std::to_string(i)}), reference(saltK, {"prompt", std::to_string(i)}));
    EXPECT_EQ(hashOf(j, {"prompt", std::to_string(i)}), reference(saltJ, {"prompt", std::to_string(i)}));
  }
  // One hasher after another in the same storage: the second's salt, not the first's.
  std::optional<TextHasher> slot(std::in_place, saltK);
  EXPECT_EQ(hashOf(*slot, {"text"}), reference(saltK, {"text"}));
  slot.reset();
  slot.emplace(saltJ);
  EXPECT_EQ(hashOf(*slot, {"text"}), reference(saltJ, {"text"}));
}

TEST(TextHasherTest, TheSaltIsMadeOnceRootOnlyAndKept) {
  testing::TempDir dir;
  auto first = TextHasher::loadOrCreate(dir.path());
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/" + kAuditSaltFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto again = TextHasher::loadOrCreate(dir.path());
  ASSERT_TRUE(again);
  std::vector<std::string_view> texts{"a prompt"};
  EXPECT_EQ((*first)->hash(texts), (*again)->hash(texts)) << "a restart keeps the hashes comparable";

  testing::TempDir other;
  auto elsewhere = TextHasher::loadOrCreate(other.path());
  ASSERT_TRUE(elsewhere);
  EXPECT_NE((*first)->hash(texts), (*elsewhere)->hash(texts));
}

TEST(TextHasherTest, ATruncatedSaltIsAnError) {
  testing::TempDir dir;
  { std::ofstream(dir.path() + "/" + kAuditSaltFile) << "short"; }
  auto loaded = TextHasher::loadOrCreate(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("remove it to have a new one made"), std::string::npos);
}

}  // namespace
}  // namespace warden::audit
