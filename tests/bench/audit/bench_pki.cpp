#include "bench_pki.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

namespace warden::bench {
namespace {

using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool added = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return added;
}

// Self-signed CA when `issuer` is null, else a leaf for 127.0.0.1.
Cert makeCert(EVP_PKEY* key, const char* commonName, X509* issuer, EVP_PKEY* issuerKey, long serial) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (issuer != nullptr) {
    ok = addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         addExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
         addExtension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1");
  } else {
    ok = addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
         addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (!ok || X509_sign(cert.get(), issuerKey != nullptr ? issuerKey : key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

}  // namespace

Result<BenchPki> makeBenchPki(const std::string& dir) {
  Key caKey(EVP_EC_gen("P-256"));
  Key serverKey(EVP_EC_gen("P-256"));
  if (!caKey || !serverKey) return Error{"make the benchmark's keys: OpenSSL could not generate P-256 keys"};
  Cert ca = makeCert(caKey.get(), "warden audit bench CA", nullptr, nullptr, 1);
  Cert server = ca ? makeCert(serverKey.get(), "127.0.0.1", ca.get(), caKey.get(), 2) : nullptr;
  if (!server) return Error{"make the benchmark's certificates: OpenSSL refused to build or sign them"};

  BenchPki pki;
  pki.caFile = dir + "/bench-ca.crt";
  FILE* file = std::fopen(pki.caFile.c_str(), "w");
  if (file == nullptr) return errnoError("write " + pki.caFile);
  const bool written = PEM_write_X509(file, ca.get()) == 1;
  if (std::fclose(file) != 0 || !written) return Error{"write " + pki.caFile + ": PEM output failed"};
  pki.serverKey = std::move(serverKey);
  pki.serverCert = std::move(server);
  return pki;
}

}  // namespace warden::bench
