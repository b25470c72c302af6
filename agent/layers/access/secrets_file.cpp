#include "layers/access/secrets_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "core/unique_fd.h"

namespace warden::access {
namespace {

constexpr off_t kMaxSecretsBytes = 1 << 20;

std::string octalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

SecretsFile::~SecretsFile() {
  // Best effort: do not leave keys in freed heap memory.
  for (auto& [name, value] : secrets_) {
    volatile char* p = value.data();
    for (size_t i = 0; i < value.size(); ++i) p[i] = 0;
  }
}

Result<SecretsFile> SecretsFile::load(const std::string& path, uid_t expectedOwner) {
  // O_NOFOLLOW: the checks below must be about the file itself, not a link
  // someone else could repoint.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return errnoError("open secrets file " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoError("stat secrets file " + path);
  if (!S_ISREG(st.st_mode)) return Error{"secrets file " + path + " is not a regular file"};
  if (st.st_uid != expectedOwner) {
    return Error{"refusing secrets file " + path + ": owned by uid " + std::to_string(st.st_uid) + ", must be owned by uid " +
                 std::to_string(expectedOwner) + " (chown " + std::to_string(expectedOwner) + " " + path + ")"};
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    return Error{"refusing secrets file " + path + ": mode " + octalMode(st.st_mode) +
                 " lets group or others at it (chmod 600 " + path + ")"};
  }
  if (st.st_size > kMaxSecretsBytes) return Error{"secrets file " + path + " is larger than 1 MiB"};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read secrets file " + path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  text.resize(done);
  struct Wipe {
    std::string& text;
    ~Wipe() {
      volatile char* p = text.data();
      for (size_t i = 0; i < text.size(); ++i) p[i] = 0;
    }
  } wipe{text};

  // Messages name keys and positions only: yaml-cpp's own messages can quote
  // the text they choke on, which may be a key.
  SecretsFile out;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML"};
  }
  if (!root.IsMap() || !root["secrets"] || !root["secrets"].IsMap() || root.size() != 1) {
    return Error{path + ": expected one map, secrets: { NAME: KEY, ... }"};
  }
  for (auto it = root["secrets"].begin(); it != root["secrets"].end(); ++it) {
    const YAML::Node name = it->first;
    const YAML::Node value = it->second;
    const std::string where = path + ":" + std::to_string(name.Mark().line + 1);
    if (!name.IsScalar() || name.Scalar().empty()) return Error{where + ": secrets: names must be plain words"};
    if (!value.IsScalar() || value.Scalar().empty()) {
      return Error{where + ": secrets." + name.Scalar() + ": expected the key as one string"};
    }
    if (!out.secrets_.emplace(name.Scalar(), value.Scalar()).second) {
      return Error{where + ": secrets." + name.Scalar() + ": listed twice"};
    }
  }
  return out;
}

std::optional<std::string_view> SecretsFile::find(std::string_view name) const {
  auto it = secrets_.find(name);
  if (it == secrets_.end()) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace warden::access
