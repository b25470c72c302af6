// Prompts and completions never reach the audit trail as text: a keyed
// hash of them does, so the same prompt sent twice (or by two workloads)
// shows as the same value to whoever reads the trail, without the text.
// The key (a salt) is random per host and kept root-only in the state
// directory, so a hash cannot be checked against guessed texts by someone
// who has only the trail.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_mac_ctx_st;

namespace warden::audit {

inline constexpr const char* kAuditSaltFile = "audit.salt";

class TextHasher {
 public:
  // Loads <stateDir>/audit.salt, or creates it (32 random bytes, 0600).
  static Result<std::shared_ptr<const TextHasher>> loadOrCreate(const std::string& stateDir);
  explicit TextHasher(const std::string& salt);

  // HMAC-SHA256 over the texts in order, each preceded by its length (so
  // ["ab","c"] and ["a","bc"] differ), as "hmac-sha256:" + 64 hex digits.
  // "" only if OpenSSL fails. Thread-safe.
  std::string hash(std::span<const std::string_view> texts) const;
  // False when OpenSSL could not set up the key: every hash would be "".
  bool ready() const { return keyed_ != nullptr; }

 private:
  struct MacContextFree {
    void operator()(evp_mac_ctx_st* context) const;
  };
  // Keyed once: setting up an HMAC key (a provider fetch and a key object)
  // costs more than hashing a prompt. Each thread hashes with its own copy,
  // made once and re-initialised per hash (see hash()).
  std::unique_ptr<evp_mac_ctx_st, MacContextFree> keyed_;
  // Tells a thread's copy of another hasher's context (another salt) from
  // this one's, even at the same address.
  uint64_t instance_;
};

}  // namespace warden::audit
