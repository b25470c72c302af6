#include "identity/process_info.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "core/unique_fd.h"

namespace warden::identity {
namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";
constexpr size_t kReadChunk = 1 << 16;

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

std::string toHex(const unsigned char* bytes, size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (size_t i = 0; i < length; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return hex;
}

Result<std::string> sha256OfFile(int fd, const std::string& what) {
  std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return Error{"hash " + what + ": OpenSSL could not start SHA-256"};
  }
  std::vector<unsigned char> buffer(kReadChunk);
  off_t offset = 0;
  for (;;) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errnoError("read " + what);
    }
    if (got == 0) break;
    EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(got));
    offset += got;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    return Error{"hash " + what + ": OpenSSL could not finish SHA-256"};
  }
  return toHex(digest, length);
}

// getpwuid_r/getgrgid_r need a caller buffer whose size is only a hint.
template <class Record, class Lookup>
std::string lookupName(uint32_t id, Lookup lookup, char* Record::*field) {
  long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? static_cast<size_t>(hint) : 1024);
  for (;;) {
    Record record{};
    Record* found = nullptr;
    const int rc = lookup(id, &record, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || found == nullptr) return "";
    return record.*field;
  }
}

ExecutableStamp stampOfStat(const struct stat& st) {
  return ExecutableStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                         static_cast<uint64_t>(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
}

}  // namespace

size_t ProcessInfo::StampHash::operator()(const ExecutableStamp& key) const {
  size_t h = std::hash<uint64_t>()(key.inode);
  for (uint64_t part :
       {key.device, key.size, static_cast<uint64_t>(key.mtimeSec), static_cast<uint64_t>(key.mtimeNsec)}) {
    h ^= std::hash<uint64_t>()(part) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  }
  return h;
}

ProcessInfo::ProcessInfo(ProcessInfoOptions options)
    : options_(std::move(options)),
      hashes_(options_.maxCachedHashes),
      users_(options_.maxCachedNames),
      groups_(options_.maxCachedNames) {}

Result<ExecutableInfo> ProcessInfo::executable(uint32_t tgid) {
  const std::string link = options_.procRoot + "/" + std::to_string(tgid) + "/exe";
  char target[PATH_MAX + 1];
  const ssize_t length = ::readlink(link.c_str(), target, PATH_MAX);
  if (length < 0) return errnoError("readlink " + link);
  ExecutableInfo info;
  info.path.assign(target, static_cast<size_t>(length));
  const bool suffixed =
      info.path.size() > kDeletedSuffix.size() &&
      info.path.compare(info.path.size() - kDeletedSuffix.size(), kDeletedSuffix.size(), kDeletedSuffix) == 0;

  // Opening the magic link reaches the inode the process runs, even after it
  // was unlinked or replaced, so the hash is of what actually runs.
  UniqueFd fd(::open(link.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
    info.deleted = suffixed;
    if (suffixed) info.path.resize(info.path.size() - kDeletedSuffix.size());
    info.hashNote = errnoError("open " + link).message;
    return info;
  }
  // nlink tells a deleted file from one whose name really ends in " (deleted)".
  info.deleted = suffixed && st.st_nlink == 0;
  if (info.deleted) info.path.resize(info.path.size() - kDeletedSuffix.size());
  info.size = static_cast<uint64_t>(st.st_size);

  const ExecutableStamp key = stampOfStat(st);
  info.stamp = key;
  {
    std::lock_guard lock(mutex_);
    if (const HashEntry* cached = hashes_.find(key)) {
      info.sha256 = cached->sha256;
      info.hashNote = cached->note;
      return info;
    }
  }

  HashEntry entry;
  if (info.size > options_.maxHashBytes) {
    entry.note = "not hashed: " + std::to_string(info.size) + " bytes is over the limit of " +
                 std::to_string(options_.maxHashBytes) + " (raise identity max_hash_bytes to hash it)";
  } else {
    auto digest = sha256OfFile(fd.get(), info.path);
    struct stat after {};
    const bool changed = ::fstat(fd.get(), &after) != 0 || after.st_size != st.st_size ||
                         after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec;
    if (!digest) {
      info.hashNote = digest.error().message;
      return info;  // not cached: the read may succeed next time
    }
    if (changed) {
      info.hashNote = "not hashed: " + info.path + " changed while it was read";
      return info;
    }
    entry.sha256 = std::move(digest).value();
  }
  info.sha256 = entry.sha256;
  info.hashNote = entry.note;
  std::lock_guard lock(mutex_);
  if (entry.note.empty()) ++filesHashed_;
  hashes_.put(key, std::move(entry));
  return info;
}

Result<ProcessInfo::Stamped> ProcessInfo::stampOf(uint32_t tgid) const {
  const std::string link = options_.procRoot + "/" + std::to_string(tgid) + "/exe";
  struct stat st {};
  if (::stat(link.c_str(), &st) != 0) return errnoError("stat " + link);
  return Stamped{stampOfStat(st), static_cast<uint64_t>(st.st_nlink)};
}

std::string ProcessInfo::userName(uint32_t uid) { return cachedName(users_, uid, true); }
std::string ProcessInfo::groupName(uint32_t gid) { return cachedName(groups_, gid, false); }

size_t ProcessInfo::filesHashed() const {
  std::lock_guard lock(mutex_);
  return filesHashed_;
}

std::string ProcessInfo::cachedName(LruCache<uint32_t, NameEntry>& cache, uint32_t id, bool user) {
  const auto now = options_.clock();
  {
    std::lock_guard lock(mutex_);
    if (const NameEntry* cached = cache.find(id); cached != nullptr && now - cached->fetched < options_.nameTtl) {
      return cached->name;
    }
  }
  // NSS may block on a directory service: look up without the lock.
  std::string name = user ? lookupName<passwd>(id, ::getpwuid_r, &passwd::pw_name)
                          : lookupName<group>(id, ::getgrgid_r, &group::gr_name);
  std::lock_guard lock(mutex_);
  cache.put(id, NameEntry{name, now});
  return name;
}

}  // namespace warden::identity
