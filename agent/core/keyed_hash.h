// SipHash with a key drawn at random once per process: a hash for tables
// keyed by what clients send, so nobody can aim many keys at one bucket
// (std::hash is the same function in every process). The 1-3 variant, as
// Rust's and CPython's hash tables use: the keys here are whole prompts,
// and it hashes them about twice as fast as SipHash-2-4.
#pragma once

#include <cstdint>
#include <string_view>

namespace warden {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

uint64_t sipHash13(const SipKey& key, std::string_view bytes);

// This process's key, drawn from the kernel's random source on first use.
const SipKey& processSipKey();

}  // namespace warden
