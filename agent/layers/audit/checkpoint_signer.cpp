#include "layers/audit/checkpoint_signer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <vector>

namespace warden::audit {
namespace {

std::shared_ptr<EVP_PKEY> ownKey(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

std::string keyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) return "unknown";
  const Sha256 digest = sha256Of(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  return toHex(digest).substr(0, 16);
}

Result<std::string> readAll(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errnoError("open " + path);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return errnoError("read " + path, saved);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// O_EXCL: a key is created once and never overwritten.
Status writeNew(const std::string& path, std::string_view bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errnoError("create " + path);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(path.c_str());
      return errnoError("write " + path, saved);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return errnoError("write " + path);
  return {};
}

std::string pemOf(EVP_PKEY* key, bool privateKey) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio) return {};
  const int ok = privateKey ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                            : PEM_write_bio_PUBKEY(bio.get(), key);
  if (!ok) return {};
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string base64(const unsigned char* bytes, size_t length) {
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(length));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

std::vector<unsigned char> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return {};
  std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t length = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the padding's bytes too.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --length;
  out.resize(length);
  return out;
}

Result<std::shared_ptr<EVP_PKEY>> readKey(const std::string& pem, const std::string& path, bool privateKey) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = !bio ? nullptr
                  : privateKey ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                               : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    if (key) EVP_PKEY_free(key);
    return Error{path + " is not an Ed25519 " + (privateKey ? "private" : "public") + " key in PEM"};
  }
  return ownKey(key);
}

}  // namespace

std::string checkpointMessage(const Sha256& head, uint64_t seq) {
  return "warden audit checkpoint v1\n" + toHex(head) + "\n" + std::to_string(seq);
}

CheckpointSigner::CheckpointSigner(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)), keyId_(keyIdOf(key_.get())) {}

Result<std::shared_ptr<const CheckpointSigner>> CheckpointSigner::loadOrCreate(const std::string& stateDir) {
  const std::string keyPath = stateDir + "/" + kAuditKeyFile;
  const std::string publicPath = stateDir + "/" + kAuditPublicKeyFile;
  if (::access(keyPath.c_str(), F_OK) == 0) {
    auto pem = readAll(keyPath);
    if (!pem) return pem.error().wrap("load the audit signing key");
    auto key = readKey(*pem, keyPath, true);
    if (!key) return key.error();
    return std::make_shared<const CheckpointSigner>(std::move(*key));
  }
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) return Error{"create the audit signing key: OpenSSL could not make an Ed25519 key"};
  auto key = ownKey(raw);
  if (auto s = writeNew(keyPath, pemOf(key.get(), true), 0600); !s) return s.error().wrap("create the audit signing key");
  ::unlink(publicPath.c_str());  // a stale public half would not match
  if (auto s = writeNew(publicPath, pemOf(key.get(), false), 0644); !s) {
    return s.error().wrap("write the audit public key");
  }
  return std::make_shared<const CheckpointSigner>(std::move(key));
}

std::string CheckpointSigner::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char signature[64];
  size_t length = sizeof signature;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &length, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return {};
  }
  return base64(signature, length);
}

CheckpointVerifier::CheckpointVerifier(std::shared_ptr<EVP_PKEY> key)
    : key_(std::move(key)), keyId_(keyIdOf(key_.get())) {}

Result<CheckpointVerifier> CheckpointVerifier::load(const std::string& publicKeyPath) {
  auto pem = readAll(publicKeyPath);
  if (!pem) return pem.error().wrap("load the audit public key");
  auto key = readKey(*pem, publicKeyPath, false);
  if (!key) return key.error();
  return CheckpointVerifier(std::move(*key));
}

bool CheckpointVerifier::verify(std::string_view message, std::string_view signatureBase64) const {
  const std::vector<unsigned char> signature = unbase64(signatureBase64);
  if (signature.size() != 64) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

}  // namespace warden::audit
