// A throwaway CA and a server certificate for 127.0.0.1, made in memory for
// one run, so the syslog sink verifies its receiver as it would in
// production (the CA is handed to the sink as its ca_file).
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace warden::bench {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};

struct BenchPki {
  std::unique_ptr<EVP_PKEY, PkeyFree> serverKey;
  std::unique_ptr<X509, X509Free> serverCert;
  std::string caFile;  // PEM of the CA, in the directory given to makeBenchPki
};

Result<BenchPki> makeBenchPki(const std::string& dir);

}  // namespace warden::bench
