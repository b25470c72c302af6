// Shared by the access tests: a temp directory, policy text -> PolicySet, and
// a request builder.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "layers/access/policy_parser.h"
#include "layers/access/policy_set.h"

namespace warden::access::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warden-access-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string write(const std::string& relative, const std::string& content, mode_t mode = 0600) const {
    const std::string file = path_ + "/" + relative;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    ::chmod(file.c_str(), mode);
    return file;
  }

 private:
  std::string path_;
};

// A whole document around `spec` (indented by the caller under "spec:").
inline std::string policyDocument(const std::string& name, const std::string& spec) {
  return "apiVersion: warden.dev/v1\nkind: AccessPolicy\nmetadata:\n  name: " + name + "\nspec:\n" + spec;
}

inline std::shared_ptr<const PolicySet> buildSet(const std::string& yaml, const std::string& source = "p.yaml") {
  auto file = parsePolicyText(yaml, source);
  EXPECT_TRUE(file.ok()) << file.error().message;
  if (!file) return nullptr;
  std::vector<PolicyFile> files;
  files.push_back(std::move(*file));
  auto set = PolicySet::build(std::move(files));
  EXPECT_TRUE(set.ok()) << set.error().message;
  return set ? *set : nullptr;
}

inline std::string parseError(const std::string& yaml, const std::string& source = "p.yaml") {
  auto file = parsePolicyText(yaml, source);
  return file ? "(parsed)" : file.error().message;
}

inline AccessRequest requestFrom(const std::string& unit, const std::string& model = "gpt-4o-mini") {
  AccessRequest r;
  r.subject.known = true;
  r.subject.unit = unit;
  r.subject.workloadKey = "unit:" + unit;
  r.provider = "openai";
  r.host = "api.openai.com";
  r.endpoint = "/v1/chat/completions";
  r.model = model;
  return r;
}

}  // namespace warden::access::testing
