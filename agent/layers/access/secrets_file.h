// The real API keys behind brokered placeholders, read from a YAML file
//   secrets: { openai-prod: "sk-..." }
// that must be a regular file owned by root (or the expected owner) and
// neither readable nor writable by group or others: a key file anyone can
// read would defeat the broker. No message or log line carries a key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <map>

#include "core/result.h"

namespace warden::access {

class SecretsFile {
 public:
  // `expectedOwner`: root in production; tests pass geteuid().
  static Result<SecretsFile> load(const std::string& path, uid_t expectedOwner = 0);

  SecretsFile() = default;
  SecretsFile(SecretsFile&&) = default;
  SecretsFile& operator=(SecretsFile&&) = default;
  SecretsFile(const SecretsFile&) = delete;
  SecretsFile& operator=(const SecretsFile&) = delete;
  ~SecretsFile();

  std::optional<std::string_view> find(std::string_view name) const;
  size_t size() const { return secrets_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;
};

}  // namespace warden::access
