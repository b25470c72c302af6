#include "layers/audit/text_hasher.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <cstdint>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

constexpr size_t kSaltBytes = 32;

Result<std::string> readSalt(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError("read " + path);
  std::string salt(kSaltBytes, '\0');
  const ssize_t n = ::read(fd.get(), salt.data(), salt.size());
  if (n != static_cast<ssize_t>(kSaltBytes)) {
    return Error{path + " is not a " + std::to_string(kSaltBytes) + "-byte salt; remove it to have a new one made"};
  }
  return salt;
}

}  // namespace

Result<std::shared_ptr<const TextHasher>> TextHasher::loadOrCreate(const std::string& stateDir) {
  const std::string path = stateDir + "/" + kAuditSaltFile;
  if (::access(path.c_str(), F_OK) == 0) {
    auto salt = readSalt(path);
    if (!salt) return salt.error();
    return std::make_shared<const TextHasher>(std::move(*salt));
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    return Error{"make the audit salt: OpenSSL's random generator failed"};
  }
  // O_EXCL: two agents starting at once must not each write their own.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST) return loadOrCreate(stateDir);
    return errnoError("create " + path);
  }
  if (::write(fd.get(), salt.data(), salt.size()) != static_cast<ssize_t>(salt.size()) || ::fsync(fd.get()) != 0) {
    return errnoError("write " + path);
  }
  return std::make_shared<const TextHasher>(std::move(salt));
}

std::string TextHasher::hash(std::span<const std::string_view> texts) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // HMAC() in one call needs the input in one piece; the texts are fed one
  // by one instead, with their lengths, without copying them together.
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, nullptr,
                                               reinterpret_cast<const unsigned char*>(salt_.data()), salt_.size());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = key != nullptr && ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1;
  for (std::string_view text : texts) {
    if (!ok) break;
    unsigned char prefix[8];
    uint64_t size = text.size();
    for (int i = 7; i >= 0; --i, size >>= 8) prefix[i] = static_cast<unsigned char>(size & 0xff);
    ok = EVP_DigestSignUpdate(ctx, prefix, sizeof prefix) == 1 && EVP_DigestSignUpdate(ctx, text.data(), text.size()) == 1;
  }
  size_t size = digest.size();
  ok = ok && EVP_DigestSignFinal(ctx, digest.data(), &size) == 1;
  length = static_cast<unsigned int>(size);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "hmac-sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace warden::audit
