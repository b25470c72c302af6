#include "core/keyed_hash.h"

#include <sys/random.h>

#include <bit>
#include <cstring>

namespace warden {
namespace {

inline uint64_t load64(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

struct State {
  uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  void rounds(int n) {
    for (int i = 0; i < n; ++i) round();
  }
};

SipKey drawKey() {
  SipKey key;
  uint64_t words[2] = {0, 0};
  // getrandom() blocks only before the kernel's pool is seeded at boot.
  size_t got = 0;
  while (got < sizeof words) {
    const ssize_t n = ::getrandom(reinterpret_cast<char*>(words) + got, sizeof words - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  key.k0 = words[0];
  key.k1 = words[1];
  return key;
}

}  // namespace

// One round per 8 bytes of message, three to finish.
uint64_t sipHash13(const SipKey& key, std::string_view bytes) {
  State s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL, key.k0 ^ 0x6c7967656e657261ULL,
          key.k1 ^ 0x7465646279746573ULL};
  const auto absorb = [&s](uint64_t m) {
    s.v3 ^= m;
    s.round();
    s.v0 ^= m;
  };
  const char* p = bytes.data();
  const size_t whole = bytes.size() & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) absorb(load64(p + i));
  uint64_t last = static_cast<uint64_t>(bytes.size()) << 56;
  for (size_t i = whole; i < bytes.size(); ++i) {
    last |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * (i - whole));
  }
  absorb(last);
  s.v2 ^= 0xff;
  s.rounds(3);
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

const SipKey& processSipKey() {
  static const SipKey key = drawKey();
  return key;
}

}  // namespace warden
