// warden's local CA: created on first start in the state directory (key 0600),
// reused afterwards; mints ECDSA P-256 leaf certificates per host name on
// demand and caches them.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"

namespace warden::proxy {

// A minted leaf: certificate and private key. Shared and immutable.
struct LeafCertificate {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
  std::chrono::system_clock::time_point notAfter;
};

// A leaf is re-minted once it is this close to expiry, so a long-running agent
// never serves one that lapses mid-connection.
inline constexpr std::chrono::hours kLeafRenewBefore{24};

class CertAuthority {
 public:
  // Loads <stateDir>/ca.crt and ca.key, or creates them (directory 0700, key
  // 0600) when both are absent. One present without the other is an error.
  static Result<std::unique_ptr<CertAuthority>> loadOrCreate(const std::string& stateDir);

  // A leaf for `hostName` (DNS name or IP literal): backdated 2 days, valid
  // 365 days, SAN, serverAuth EKU, AKI from the CA. Cached; thread-safe.
  Result<std::shared_ptr<const LeafCertificate>> leafFor(const std::string& hostName);

  std::string certificatePem() const;
  // "AB:CD:..." SHA-256 over the DER certificate.
  std::string fingerprintSha256() const;
  std::string subject() const;
  X509* certificate() const { return cert_.get(); }

  size_t cachedLeafCount() const;

 private:
  CertAuthority(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const LeafCertificate>> cache_;
};

}  // namespace warden::proxy
