#include "layers/audit/text_hasher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

constexpr size_t kSaltBytes = 32;

uint64_t nextInstance() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

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

Result<std::shared_ptr<const TextHasher>> usable(std::shared_ptr<const TextHasher> hasher) {
  if (!hasher->ready()) return Error{"set up HMAC-SHA256 for the audit's text hashes: OpenSSL refused"};
  return hasher;
}

}  // namespace

Result<std::shared_ptr<const TextHasher>> TextHasher::loadOrCreate(const std::string& stateDir) {
  const std::string path = stateDir + "/" + kAuditSaltFile;
  if (::access(path.c_str(), F_OK) == 0) {
    auto salt = readSalt(path);
    if (!salt) return salt.error();
    return usable(std::make_shared<const TextHasher>(*salt));
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
  return usable(std::make_shared<const TextHasher>(salt));
}

void TextHasher::MacContextFree::operator()(evp_mac_ctx_st* context) const { EVP_MAC_CTX_free(context); }

TextHasher::TextHasher(const std::string& salt) : instance_(nextInstance()) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return;
  keyed_.reset(EVP_MAC_CTX_new(mac));
  EVP_MAC_free(mac);  // the context holds its own reference
  if (!keyed_) return;
  char digestName[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), params) != 1) {
    keyed_.reset();
  }
}

std::string TextHasher::hash(std::span<const std::string_view> texts) const {
  if (!keyed_) return {};
  // Copying the keyed context for every hash (three digest contexts and the
  // MAC's own) cost about 0.3 us: nearly half of hashing 100 bytes, 8% of
  // 4 KB. The thread's copy is made once; EVP_MAC_init without a key
  // restarts it from the key's precomputed state (OpenSSL 3.0.3 on: before,
  // it did nothing, hence the minimum version in CMakeLists.txt).
  struct ThreadCopy {
    uint64_t instance = 0;
    std::unique_ptr<evp_mac_ctx_st, MacContextFree> ctx;
  };
  thread_local ThreadCopy mine;
  if (mine.instance != instance_ || !mine.ctx) {
    mine.ctx.reset(EVP_MAC_CTX_dup(keyed_.get()));
    mine.instance = mine.ctx ? instance_ : 0;
  }
  evp_mac_ctx_st* ctx = mine.ctx.get();
  bool ok = ctx != nullptr && EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1;
  // The texts are fed one by one, with their lengths, without copying them together.
  for (std::string_view text : texts) {
    if (!ok) break;
    unsigned char prefix[8];
    uint64_t size = text.size();
    for (int i = 7; i >= 0; --i, size >>= 8) prefix[i] = static_cast<unsigned char>(size & 0xff);
    ok = EVP_MAC_update(ctx, prefix, sizeof prefix) == 1 &&
         EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  size_t length = 0;
  ok = ok && EVP_MAC_final(ctx, digest.data(), &length, digest.size()) == 1;
  if (!ok) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::string_view kPrefix = "hmac-sha256:";
  std::string out;
  out.reserve(kPrefix.size() + 2 * length);  // one allocation, not one per doubling
  out = kPrefix;
  for (size_t i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace warden::audit
