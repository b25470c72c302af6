#include "proxy/cert_authority.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "core/log.h"
#include "proxy/openssl_error.h"
#include "core/unique_fd.h"

namespace warden::proxy {
namespace {

constexpr char kCertFile[] = "ca.crt";
constexpr char kKeyFile[] = "ca.key";
constexpr int kCaValidityDays = 3650;
constexpr int kLeafValidityDays = 365;
constexpr int kBackdateDays = 2;  // tolerate clients whose clocks run behind
constexpr size_t kMaxCachedLeaves = 1024;
constexpr size_t kMaxCommonNameBytes = 64;  // ub-common-name, RFC 5280

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::shared_ptr<X509> ownX509(X509* x) { return {x, X509_free}; }
std::shared_ptr<EVP_PKEY> ownKey(EVP_PKEY* k) { return {k, EVP_PKEY_free}; }

std::string bioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::string> readFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError("open " + path);
  std::string contents;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read " + path);
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
  }
  return contents;
}

// Writes `contents` to a fresh temporary file with `mode` and links it into
// place; link() refuses to replace an existing file, so a concurrent start
// cannot swap keys under us. mkstemp creates the file 0600 whatever the umask,
// so the key is never readable by others, not even for a moment.
Status writeNewFile(const std::string& dir, const std::string& name, const std::string& contents, mode_t mode) {
  std::string target = dir + "/" + name;
  std::string tmp = dir + "/." + name + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return errnoError("create temporary file in " + dir);
  auto fail = [&](const std::string& what) {
    Error e = errnoError(what);
    ::unlink(tmp.c_str());
    return e;
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("chmod " + tmp);
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write " + tmp);
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync " + tmp);
  if (::link(tmp.c_str(), target.c_str()) != 0) {
    return fail("create " + target + " (another wardend starting at the same time? restart it)");
  }
  ::unlink(tmp.c_str());
  return {};
}

Status ensureStateDir(const std::string& dir) {
  std::error_code ec;
  auto status = std::filesystem::status(dir, ec);
  if (std::filesystem::exists(status)) {
    if (!std::filesystem::is_directory(status)) return Error{dir + " exists but is not a directory"};
    auto perms = status.permissions();
    if ((perms & (std::filesystem::perms::group_write | std::filesystem::perms::others_write)) !=
        std::filesystem::perms::none) {
      logger("proxy")->warn("{} is writable by group or others; the CA key lives there: chmod 0700 {}", dir, dir);
    }
    return {};
  }
  auto parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error{"create " + parent.string() + ": " + ec.message()};
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errnoError("create " + dir);
  if (::chmod(dir.c_str(), 0700) != 0) return errnoError("chmod 0700 " + dir);
  return {};
}

Result<std::shared_ptr<EVP_PKEY>> newP256Key() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!key) return sslError("generate ECDSA P-256 key");
  return ownKey(key);
}

// 128 random bits with the top one set: positive and always 16 bytes wide.
Status setRandomSerial(X509* cert) {
  std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
  if (!serial || !BN_rand(serial.get(), 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert))) {
    return sslError("generate certificate serial");
  }
  return {};
}

Status setValidity(X509* cert, int days) {
  time_t now = time(nullptr);
  if (!X509_time_adj_ex(X509_getm_notBefore(cert), -kBackdateDays, 0, &now) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, &now)) {
    return sslError("set certificate validity");
  }
  return {};
}

Status addExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (!ext) return sslError(std::string("build extension ") + OBJ_nid2sn(nid) + "=" + value);
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!added) return sslError(std::string("add extension ") + OBJ_nid2sn(nid));
  return {};
}

Status addNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                  static_cast<int>(value.size()), -1, 0)) {
    return sslError(std::string("set certificate ") + field);
  }
  return {};
}

std::string localHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

Result<std::unique_ptr<X509, decltype(&X509_free)>> newCertificate(EVP_PKEY* key, int days) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3) || !X509_set_pubkey(cert.get(), key)) {
    return sslError("create certificate");
  }
  if (auto s = setRandomSerial(cert.get()); !s) return s.error();
  if (auto s = setValidity(cert.get(), days); !s) return s.error();
  return cert;
}

Result<std::shared_ptr<X509>> createCaCertificate(EVP_PKEY* key) {
  auto cert = newCertificate(key, kCaValidityDays);
  if (!cert) return cert.error();
  X509* x = cert->get();

  const std::string prefix = "warden local CA (";
  std::string host = localHostName().substr(0, kMaxCommonNameBytes - prefix.size() - 1);
  X509_NAME* name = X509_get_subject_name(x);
  if (auto s = addNameEntry(name, "O", "warden"); !s) return s.error();
  if (auto s = addNameEntry(name, "CN", prefix + host + ")"); !s) return s.error();
  if (!X509_set_issuer_name(x, name)) return sslError("set CA issuer");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  // SKI first: the self-referencing AKI is derived from it.
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:TRUE"}, std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
        std::pair{NID_subject_key_identifier, "hash"}, std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto s = addExtension(x, &ctx, nid, value); !s) return s.error();
  }
  if (!X509_sign(x, key, EVP_sha256())) return sslError("sign CA certificate");
  return ownX509(cert->release());
}

struct IpLiteral {
  std::string bytes;      // what an iPAddress SAN holds: 4 or 16 bytes
  std::string canonical;  // one spelling per address, the cache key
};

// "127.0.0.1", "::1" or "[::1]"; nullopt for anything else.
std::optional<IpLiteral> ipLiteral(const std::string& name) {
  std::string bare = name;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN] = {};
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, bare.c_str(), buf) == 1 && inet_ntop(family, buf, text, sizeof(text))) {
      return IpLiteral{std::string(reinterpret_cast<char*>(buf), family == AF_INET ? 4 : 16), text};
    }
  }
  return std::nullopt;
}

// Lowercased DNS name, or nullopt if it could not be a dNSName SAN.
std::optional<std::string> dnsName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return std::nullopt;
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a'), ok = true;
    if (!ok) return std::nullopt;
    out.push_back(c);
  }
  if (out.find("..") != std::string::npos) return std::nullopt;
  return out;
}

Status addSubjectAltName(X509* cert, const std::string& dns, const std::optional<std::string>& ip) {
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(GENERAL_NAMES_new());
  GENERAL_NAME* entry = GENERAL_NAME_new();
  if (!names || !entry) {
    GENERAL_NAME_free(entry);
    return sslError("allocate subjectAltName");
  }
  ASN1_STRING* value = ip ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  const std::string& bytes = ip ? *ip : dns;
  if (!value || !ASN1_STRING_set(value, bytes.data(), static_cast<int>(bytes.size()))) {
    ASN1_STRING_free(value);
    GENERAL_NAME_free(entry);
    return sslError("build subjectAltName");
  }
  GENERAL_NAME_set0_value(entry, ip ? GEN_IPADD : GEN_DNS, value);
  if (!sk_GENERAL_NAME_push(names.get(), entry)) {
    GENERAL_NAME_free(entry);
    return sslError("build subjectAltName");
  }
  if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT)) {
    return sslError("add subjectAltName");
  }
  return {};
}

Result<std::shared_ptr<const LeafCertificate>> mintLeaf(const std::string& name, const std::optional<std::string>& ip,
                                                        X509* caCert, EVP_PKEY* caKey) {
  auto key = newP256Key();
  if (!key) return key.error();
  auto cert = newCertificate(key->get(), kLeafValidityDays);
  if (!cert) return cert.error();
  X509* x = cert->get();

  X509_NAME* subject = X509_get_subject_name(x);
  if (auto s = addNameEntry(subject, "O", "warden"); !s) return s.error();
  // Clients match on the SAN; the CN is only for people reading the cert.
  if (name.size() <= kMaxCommonNameBytes) {
    if (auto s = addNameEntry(subject, "CN", name); !s) return s.error();
  }
  if (!X509_set_issuer_name(x, X509_get_subject_name(caCert))) return sslError("set leaf issuer");
  if (auto s = addSubjectAltName(x, name, ip); !s) return s.error();

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, caCert, x, nullptr, nullptr, 0);
  // The leaf's own SKI hashes its own key, so it never equals the CA's.
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_key_usage, "critical,digitalSignature"},
        std::pair{NID_ext_key_usage, "serverAuth"}, std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto s = addExtension(x, &ctx, nid, value); !s) return s.error();
  }
  if (!X509_sign(x, caKey, EVP_sha256())) return sslError("sign leaf certificate");

  auto leaf = std::make_shared<LeafCertificate>();
  leaf->cert = ownX509(cert->release());
  leaf->key = std::move(*key);
  leaf->notAfter = std::chrono::system_clock::now() + std::chrono::days(kLeafValidityDays);
  return std::shared_ptr<const LeafCertificate>(std::move(leaf));
}

struct CaPair {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
};

Result<CaPair> loadCa(const std::string& certPath, const std::string& keyPath) {
  auto certPem = readFile(certPath);
  if (!certPem) return certPem.error().wrap("load CA certificate");
  auto keyPem = readFile(keyPath);
  if (!keyPem) return keyPem.error().wrap("load CA key (wardend needs read access to it)");

  BioPtr certBio(BIO_new_mem_buf(certPem->data(), static_cast<int>(certPem->size())));
  X509* cert = certBio ? PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!cert) return sslError(certPath + " is not a PEM certificate");
  CaPair pair{ownX509(cert), nullptr};
  BioPtr keyBio(BIO_new_mem_buf(keyPem->data(), static_cast<int>(keyPem->size())));
  EVP_PKEY* key = keyBio ? PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!key) return sslError(keyPath + " is not an unencrypted PEM private key");
  pair.key = ownKey(key);

  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return Error{certPath + " and " + keyPath +
                 " do not belong together: restore the matching pair, or remove both to create a new CA "
                 "(clients must then trust the new one)"};
  }
  if (X509_check_ca(cert) < 1) {
    return Error{certPath + " is not a CA certificate: remove " + certPath + " and " + keyPath + " to create a new CA"};
  }
  struct stat st {};
  if (::stat(keyPath.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    logger("proxy")->warn("{} is readable by group or others: chmod 0600 {}", keyPath, keyPath);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
    logger("proxy")->warn("CA certificate {} has expired: remove {} and {} to create a new one", certPath, certPath,
                          keyPath);
  }
  return pair;
}

Result<CaPair> createCa(const std::string& stateDir, const std::string& keyPath) {
  if (auto s = ensureStateDir(stateDir); !s) return s.error().wrap("create state directory");
  auto key = newP256Key();
  if (!key) return key.error();
  auto cert = createCaCertificate(key->get());
  if (!cert) return cert.error();

  BioPtr keyBio(BIO_new(BIO_s_mem()));
  BioPtr certBio(BIO_new(BIO_s_mem()));
  if (!keyBio || !certBio ||
      !PEM_write_bio_PrivateKey(keyBio.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_bio_X509(certBio.get(), cert->get())) {
    return sslError("encode CA");
  }
  // The key goes first: a crash in between leaves a key without a
  // certificate, which loadOrCreate reports instead of silently replacing.
  if (auto s = writeNewFile(stateDir, kKeyFile, bioContents(keyBio.get()), 0600); !s) {
    return s.error().wrap("write CA key");
  }
  if (auto s = writeNewFile(stateDir, kCertFile, bioContents(certBio.get()), 0644); !s) {
    ::unlink(keyPath.c_str());  // a lone key would block the next start
    return s.error().wrap("write CA certificate");
  }
  return CaPair{std::move(*cert), std::move(*key)};
}

Result<bool> fileExists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return errnoError("stat " + path);
}

}  // namespace

CertAuthority::CertAuthority(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key)
    : cert_(std::move(cert)), key_(std::move(key)) {}

Result<std::unique_ptr<CertAuthority>> CertAuthority::loadOrCreate(const std::string& stateDir) {
  const std::string certPath = stateDir + "/" + kCertFile;
  const std::string keyPath = stateDir + "/" + kKeyFile;
  auto haveCert = fileExists(certPath);
  if (!haveCert) return haveCert.error().wrap("load CA certificate");
  auto haveKey = fileExists(keyPath);
  if (!haveKey) return haveKey.error().wrap("load CA key (wardend needs access to it)");

  if (*haveCert != *haveKey) {
    const std::string& present = *haveCert ? certPath : keyPath;
    const std::string& absent = *haveCert ? keyPath : certPath;
    return Error{"found " + present + " but not " + absent + ": restore the missing file, or remove " + present +
                 " to create a new CA (clients must then trust the new one)"};
  }
  bool created = !*haveCert;
  auto pair = created ? createCa(stateDir, keyPath) : loadCa(certPath, keyPath);
  if (!pair) return pair.error();
  std::unique_ptr<CertAuthority> ca(new CertAuthority(std::move(pair->cert), std::move(pair->key)));
  if (created) {
    logger("proxy")->info("created local CA \"{}\" in {} (SHA-256 {})", ca->subject(), stateDir,
                          ca->fingerprintSha256());
  }
  return ca;
}

Result<std::shared_ptr<const LeafCertificate>> CertAuthority::leafFor(const std::string& hostName) {
  auto literal = ipLiteral(hostName);
  std::optional<std::string> ip = literal ? std::optional(literal->bytes) : std::nullopt;
  std::optional<std::string> name = literal ? std::optional(literal->canonical) : dnsName(hostName);
  if (!name) return Error{"cannot mint a certificate for \"" + hostName + "\": not a DNS name or IP address"};

  auto fresh = [](const std::shared_ptr<const LeafCertificate>& leaf) {
    return leaf->notAfter - std::chrono::system_clock::now() > kLeafRenewBefore;
  };
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(*name);
    if (it != cache_.end() && fresh(it->second)) return it->second;
  }
  // Minted outside the lock so one slow mint does not stall other names.
  auto minted = mintLeaf(*name, ip, cert_.get(), key_.get());
  if (!minted) return minted.error().wrap("mint certificate for " + *name);

  std::lock_guard lock(mutex_);
  auto it = cache_.find(*name);
  if (it != cache_.end()) {
    // Another thread won the race: hand out one object per name.
    if (!fresh(it->second)) it->second = *minted;
    return it->second;
  }
  if (cache_.size() >= kMaxCachedLeaves) cache_.erase(cache_.begin());
  return cache_.emplace(*name, *minted).first->second;
}

std::string CertAuthority::certificatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert_.get())) return {};
  return bioContents(bio.get());
}

std::string CertAuthority::fingerprintSha256() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!X509_digest(cert_.get(), EVP_sha256(), digest, &length)) return {};
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof(hex), i == 0 ? "%02X" : ":%02X", digest[i]);
    out += hex;
  }
  return out;
}

std::string CertAuthority::subject() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert_.get()), 0, XN_FLAG_RFC2253) < 0) return {};
  return bioContents(bio.get());
}

size_t CertAuthority::cachedLeafCount() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace warden::proxy
