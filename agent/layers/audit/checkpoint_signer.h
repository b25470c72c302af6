// Signed checkpoints of the event log's hash chain. A chain alone shows an
// edit only to someone who trusts the lines after it; whoever can write the
// file could re-seal everything after their edit. Every so often wardend
// writes a checkpoint line whose Ed25519 signature covers the chain's head,
// with a key kept root-only in the state directory (audit.key; the public
// half beside it as audit.pub), so a rewritten stretch before a checkpoint
// no longer verifies.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "layers/audit/hash_chain.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace warden::audit {

inline constexpr const char* kAuditKeyFile = "audit.key";
inline constexpr const char* kAuditPublicKeyFile = "audit.pub";

// What a checkpoint signs: the chain's head (the SHA-256 of the line before
// the checkpoint) and that line's seq.
std::string checkpointMessage(const Sha256& head, uint64_t seq);

class CheckpointSigner {
 public:
  // Loads <stateDir>/audit.key, or creates an Ed25519 key there (0600) with
  // audit.pub (0644) beside it.
  static Result<std::shared_ptr<const CheckpointSigner>> loadOrCreate(const std::string& stateDir);

  std::string sign(std::string_view message) const;  // base64; "" if OpenSSL fails
  // The first 16 hex digits of the SHA-256 of the public key (DER).
  const std::string& keyId() const { return keyId_; }

  explicit CheckpointSigner(std::shared_ptr<EVP_PKEY> key);

 private:
  std::shared_ptr<EVP_PKEY> key_;
  std::string keyId_;
};

class CheckpointVerifier {
 public:
  // A public key as audit.pub holds it (PEM).
  static Result<CheckpointVerifier> load(const std::string& publicKeyPath);

  bool verify(std::string_view message, std::string_view signatureBase64) const;
  const std::string& keyId() const { return keyId_; }

 private:
  explicit CheckpointVerifier(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string keyId_;
};

}  // namespace warden::audit
