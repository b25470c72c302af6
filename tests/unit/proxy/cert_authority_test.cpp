#include "proxy/cert_authority.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace warden::proxy {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "warden-ca-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::unique_ptr<CertAuthority> mustCreate(const std::string& dir) {
  auto ca = CertAuthority::loadOrCreate(dir);
  EXPECT_TRUE(ca) << (ca ? "" : ca.error().message);
  return ca ? std::move(*ca) : nullptr;
}

std::shared_ptr<const LeafCertificate> mustMint(CertAuthority& ca, const std::string& name) {
  auto leaf = ca.leafFor(name);
  EXPECT_TRUE(leaf) << (leaf ? "" : leaf.error().message);
  return leaf ? *leaf : nullptr;
}

// X509_verify_cert against a store holding only `ca`, for a TLS server named
// `host` (a DNS name or an IP literal). Returns the X509_V_* result.
int verifyLeaf(X509* ca, X509* leaf, const std::string& host, bool isIp = false) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  if (isIp) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

double daysFromNow(const ASN1_TIME* t) {
  int days = 0;
  int seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, t), 1);
  return days + seconds / 86400.0;
}

bool isP256(EVP_PKEY* key) {
  char group[64] = {};
  size_t length = 0;
  return EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_group_name(key, group, sizeof(group), &length) == 1 &&
         std::string(group) == "prime256v1";
}

bool extensionIsCritical(X509* cert, int nid) {
  int at = X509_get_ext_by_NID(cert, nid, -1);
  return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, at)) == 1;
}

std::string octets(const ASN1_OCTET_STRING* s) {
  if (!s) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
}

void writeFile(const std::string& path, const std::string& contents) { std::ofstream(path) << contents; }

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CertAuthority, CreatesOnceThenReloadsTheSameCa) {
  TempDir tmp;
  std::string state = tmp / "var/lib/warden";
  auto created = mustCreate(state);
  ASSERT_TRUE(created);
  EXPECT_EQ(modeOf(state), 0700u);
  EXPECT_EQ(modeOf(state + "/ca.key"), 0600u);
  EXPECT_EQ(modeOf(state + "/ca.crt"), 0644u);
  EXPECT_EQ(readFile(state + "/ca.crt"), created->certificatePem());
  EXPECT_EQ(created->fingerprintSha256().size(), 32u * 3 - 1);

  auto reloaded = mustCreate(state);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->fingerprintSha256(), created->fingerprintSha256());
  EXPECT_EQ(reloaded->certificatePem(), created->certificatePem());
  // Only the two files: no temporaries left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(state), fs::directory_iterator()), 2);
}

TEST(CertAuthority, KeyIsPrivateWhateverTheUmask) {
  TempDir tmp;
  mode_t old = ::umask(0);
  auto ca = CertAuthority::loadOrCreate(tmp / "state");
  ::umask(old);
  ASSERT_TRUE(ca) << ca.error().message;
  EXPECT_EQ(modeOf(tmp / "state"), 0700u);
  EXPECT_EQ(modeOf(tmp / "state/ca.key"), 0600u);
  EXPECT_EQ(modeOf(tmp / "state/ca.crt"), 0644u);
}

TEST(CertAuthority, CaCertificateIsAConstrainedP256Root) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  X509* cert = ca->certificate();
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  EXPECT_NE(ca->subject().find("CN=warden local CA (" + std::string(host).substr(0, 46) + ")"), std::string::npos)
      << ca->subject();

  EXPECT_EQ(X509_check_ca(cert), 1);
  EXPECT_TRUE(extensionIsCritical(cert, NID_basic_constraints));
  EXPECT_TRUE(extensionIsCritical(cert, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(cert), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  ASSERT_NE(X509_get0_subject_key_id(cert), nullptr);
  EXPECT_TRUE(isP256(X509_get0_pubkey(cert)));
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(cert)), 1);  // self-signed
  EXPECT_NEAR(daysFromNow(X509_get0_notAfter(cert)), 3650, 1);
  EXPECT_LE(daysFromNow(X509_get0_notBefore(cert)), 0);
}

TEST(CertAuthority, LeafVerifiesForItsNameOnly) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  auto leaf = mustMint(*ca, "api.openai.com");
  ASSERT_TRUE(leaf);
  EXPECT_EQ(verifyLeaf(ca->certificate(), leaf->cert.get(), "api.openai.com"), X509_V_OK);
  EXPECT_EQ(verifyLeaf(ca->certificate(), leaf->cert.get(), "api.anthropic.com"), X509_V_ERR_HOSTNAME_MISMATCH);

  // Another CA's leaf is not trusted.
  TempDir otherTmp;
  auto other = mustCreate(otherTmp / "state");
  ASSERT_TRUE(other);
  auto foreign = mustMint(*other, "api.openai.com");
  EXPECT_NE(verifyLeaf(ca->certificate(), foreign->cert.get(), "api.openai.com"), X509_V_OK);
}

TEST(CertAuthority, LeafHasTheExpectedShape) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  auto leaf = mustMint(*ca, "api.openai.com");
  ASSERT_TRUE(leaf);
  X509* cert = leaf->cert.get();

  EXPECT_TRUE(isP256(leaf->key.get()));
  EXPECT_EQ(X509_check_private_key(cert, leaf->key.get()), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);
  EXPECT_NE(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_get_key_usage(cert), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_NEAR(daysFromNow(X509_get0_notBefore(cert)), -2, 0.01);
  EXPECT_NEAR(daysFromNow(X509_get0_notAfter(cert)), 365, 0.01);
  auto secondsLeft =
      std::chrono::duration_cast<std::chrono::seconds>(leaf->notAfter - std::chrono::system_clock::now());
  EXPECT_NEAR(secondsLeft.count() / 86400.0, 365, 0.01);

  // AKI names the CA's key; the leaf's own SKI must differ from it.
  std::string caSki = octets(X509_get0_subject_key_id(ca->certificate()));
  ASSERT_FALSE(caSki.empty());
  EXPECT_EQ(octets(X509_get0_authority_key_id(cert)), caSki);
  EXPECT_NE(octets(X509_get0_subject_key_id(cert)), caSki);

  // 128-bit random serial, different per leaf.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr),
                                                     BN_free);
  EXPECT_EQ(BN_num_bits(serial.get()), 128);
  auto second = mustMint(*ca, "api.anthropic.com");
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert), X509_get0_serialNumber(second->cert.get())), 0);

  // The SAN holds exactly the name, as a dNSName.
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 1);
  GENERAL_NAME* name = sk_GENERAL_NAME_value(names, 0);
  EXPECT_EQ(name->type, GEN_DNS);
  EXPECT_EQ(octets(name->d.dNSName), "api.openai.com");
  GENERAL_NAMES_free(names);
}

TEST(CertAuthority, IpLiteralsGetAnIpAddressSan) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  auto v4 = mustMint(*ca, "127.0.0.1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(verifyLeaf(ca->certificate(), v4->cert.get(), "127.0.0.1", true), X509_V_OK);
  EXPECT_EQ(verifyLeaf(ca->certificate(), v4->cert.get(), "127.0.0.2", true), X509_V_ERR_IP_ADDRESS_MISMATCH);

  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(v4->cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 0)->type, GEN_IPADD);
  EXPECT_EQ(octets(sk_GENERAL_NAME_value(names, 0)->d.iPAddress), std::string("\x7f\x00\x00\x01", 4));
  GENERAL_NAMES_free(names);

  auto v6 = mustMint(*ca, "::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(verifyLeaf(ca->certificate(), v6->cert.get(), "::1", true), X509_V_OK);
  EXPECT_EQ(mustMint(*ca, "[::1]"), v6);
  EXPECT_EQ(mustMint(*ca, "0:0::1"), v6);
}

TEST(CertAuthority, CacheHandsOutOneObjectPerName) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  auto first = mustMint(*ca, "api.openai.com");
  EXPECT_EQ(mustMint(*ca, "api.openai.com"), first);
  EXPECT_EQ(mustMint(*ca, "API.OpenAI.com"), first);
  EXPECT_EQ(ca->cachedLeafCount(), 1u);
  EXPECT_NE(mustMint(*ca, "api.anthropic.com"), first);
  EXPECT_EQ(ca->cachedLeafCount(), 2u);
}

TEST(CertAuthority, ConcurrentCallersShareOneLeaf) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  std::vector<std::shared_ptr<const LeafCertificate>> got(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      auto leaf = ca->leafFor("api.openai.com");
      if (leaf) got[i] = *leaf;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& leaf : got) {
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf, got[0]);
  }
  EXPECT_EQ(ca->cachedLeafCount(), 1u);
}

TEST(CertAuthority, CacheIsBounded) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  for (int i = 0; i < 1030; ++i) ASSERT_TRUE(ca->leafFor("h" + std::to_string(i) + ".example").ok());
  EXPECT_EQ(ca->cachedLeafCount(), 1024u);
}

TEST(CertAuthority, RefusesNamesThatAreNotHostNames) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  for (const std::string& bad :
       {std::string(""), std::string("a b"), std::string("a\0b", 3), std::string("*.x"), std::string("a..b"),
        std::string(".a"), std::string(254, 'a'), std::string("a,DNS:b")}) {
    auto leaf = ca->leafFor(bad);
    ASSERT_FALSE(leaf) << bad;
    EXPECT_NE(leaf.error().message.find("not a DNS name or IP address"), std::string::npos);
  }
  EXPECT_EQ(ca->cachedLeafCount(), 0u);
}

TEST(CertAuthority, LongNamesAreMintedWithoutACommonName) {
  TempDir tmp;
  auto ca = mustCreate(tmp / "state");
  ASSERT_TRUE(ca);
  std::string name = std::string(60, 'a') + "." + std::string(60, 'b') + ".example";
  auto leaf = mustMint(*ca, name);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(verifyLeaf(ca->certificate(), leaf->cert.get(), name), X509_V_OK);
}

TEST(CertAuthority, OneFileWithoutTheOtherIsAnError) {
  TempDir tmp;
  ASSERT_TRUE(mustCreate(tmp / "state"));
  std::string key = readFile(tmp / "state/ca.key");

  fs::remove(tmp / "state/ca.key");
  auto missingKey = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(missingKey);
  EXPECT_NE(missingKey.error().message.find("but not " + (tmp / "state/ca.key")), std::string::npos)
      << missingKey.error().message;
  EXPECT_FALSE(fs::exists(tmp / "state/ca.key"));  // nothing was overwritten or created

  writeFile(tmp / "state/ca.key", key);
  fs::remove(tmp / "state/ca.crt");
  auto missingCert = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(missingCert);
  EXPECT_NE(missingCert.error().message.find("but not " + (tmp / "state/ca.crt")), std::string::npos)
      << missingCert.error().message;
}

TEST(CertAuthority, MismatchedPairIsAnError) {
  TempDir a;
  TempDir b;
  ASSERT_TRUE(mustCreate(a / "state"));
  ASSERT_TRUE(mustCreate(b / "state"));
  fs::copy_file(b / "state/ca.key", a / "state/ca.key", fs::copy_options::overwrite_existing);
  auto ca = CertAuthority::loadOrCreate(a / "state");
  ASSERT_FALSE(ca);
  EXPECT_NE(ca.error().message.find("do not belong together"), std::string::npos) << ca.error().message;
}

TEST(CertAuthority, GarbageFilesAreReportedByName) {
  TempDir tmp;
  ASSERT_TRUE(mustCreate(tmp / "state"));
  std::string cert = readFile(tmp / "state/ca.crt");

  writeFile(tmp / "state/ca.key", "not a key\n");
  auto badKey = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(badKey);
  EXPECT_NE(badKey.error().message.find(tmp / "state/ca.key"), std::string::npos) << badKey.error().message;

  writeFile(tmp / "state/ca.crt", "not a cert\n");
  auto badCert = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(badCert);
  EXPECT_NE(badCert.error().message.find(tmp / "state/ca.crt"), std::string::npos) << badCert.error().message;
}

TEST(CertAuthority, UnreadableKeyIsAnError) {
  TempDir tmp;
  ASSERT_TRUE(mustCreate(tmp / "state"));
  // A directory where the key should be cannot be read, even by root.
  fs::remove(tmp / "state/ca.key");
  fs::create_directory(tmp / "state/ca.key");
  auto ca = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(ca);
  EXPECT_NE(ca.error().message.find("load CA key"), std::string::npos) << ca.error().message;
  EXPECT_NE(ca.error().message.find("Is a directory"), std::string::npos) << ca.error().message;
}

// The usual case: wardend started without the rights to read the key.
TEST(CertAuthority, KeyWithoutReadPermissionIsAnError) {
  TempDir tmp;
  ASSERT_TRUE(mustCreate(tmp / "state"));
  fs::permissions(tmp.path(), fs::perms(0755));
  fs::permissions(tmp / "state", fs::perms(0755));
  int pipeFds[2];
  ASSERT_EQ(::pipe(pipeFds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipeFds[0]);
    // Root reads every file, so drop to an unprivileged user first.
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(2);
    auto ca = CertAuthority::loadOrCreate(tmp / "state");
    std::string message = ca ? "loaded" : ca.error().message;
    ssize_t ignored = ::write(pipeFds[1], message.data(), message.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  std::string message;
  char buf[512];
  ssize_t n;
  while ((n = ::read(pipeFds[0], buf, sizeof(buf))) > 0) message.append(buf, static_cast<size_t>(n));
  ::close(pipeFds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(message.find("load CA key"), std::string::npos) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
}

TEST(CertAuthority, StateDirThatIsAFileIsAnError) {
  TempDir tmp;
  writeFile(tmp / "state", "x");
  auto ca = CertAuthority::loadOrCreate(tmp / "state");
  ASSERT_FALSE(ca);
  EXPECT_NE(ca.error().message.find("ot a directory"), std::string::npos) << ca.error().message;
}

}  // namespace
}  // namespace warden::proxy
