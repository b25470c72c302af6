#include "layers/access/policy_loader.h"

#include <algorithm>
#include <filesystem>

#include "layers/access/policy_parser.h"

namespace warden::access {

Result<std::vector<std::string>> listPolicyFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
      return Error{"policy path " + path + ": " + (ec ? ec.message() : "no such file or directory")};
    }
    if (!std::filesystem::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> inDir;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string ext = it->path().extension().string();
      if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file()) inDir.push_back(it->path().string());
    }
    if (ec) return Error{"read policy directory " + path + ": " + ec.message()};
    std::sort(inDir.begin(), inDir.end());
    files.insert(files.end(), inDir.begin(), inDir.end());
  }
  return files;
}

Result<std::shared_ptr<const PolicySet>> loadPolicySet(const std::vector<std::string>& paths) {
  auto files = listPolicyFiles(paths);
  if (!files) return files.error();
  std::vector<PolicyFile> parsed;
  for (const std::string& path : *files) {
    auto file = readPolicyFile(path);
    if (!file) return file.error();
    parsed.push_back(std::move(*file));
  }
  return PolicySet::build(std::move(parsed));
}

}  // namespace warden::access
