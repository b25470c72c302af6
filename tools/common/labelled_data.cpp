#include "common/labelled_data.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

namespace warden::tools {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;
constexpr uint64_t kHeldOutModulus = 5;

// A string field that must be there; `category` alone may be absent or null.
Result<std::string> stringField(const nlohmann::json& row, const char* name, bool required) {
  const auto it = row.find(name);
  if (it == row.end() || it->is_null()) {
    if (required) return Error{std::string("missing \"") + name + "\""};
    return std::string();
  }
  if (!it->is_string()) return Error{std::string("\"") + name + "\" is not a string"};
  return it->get<std::string>();
}

Result<LabelledRow> parseRow(const std::string& line, size_t number) {
  // The JSON parser reports malformed input by exception; keep it here.
  nlohmann::json row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded()) return Error{"not valid JSON"};
  if (!row.is_object()) return Error{"not a JSON object"};
  LabelledRow out;
  out.line = number;
  auto text = stringField(row, "text", true);
  if (!text) return text.error();
  auto label = stringField(row, "label", true);
  if (!label) return label.error();
  auto source = stringField(row, "source", true);
  if (!source) return source.error();
  auto category = stringField(row, "category", false);
  if (!category) return category.error();
  out.text = std::move(*text);
  out.label = std::move(*label);
  out.source = std::move(*source);
  out.category = std::move(*category);
  if (out.label.empty()) return Error{"empty \"label\""};
  return out;
}

bool wanted(std::string_view text, Part part) {
  switch (part) {
    case Part::All: return true;
    case Part::Train: return !isHeldOut(text);
    case Part::HeldOut: return isHeldOut(text);
  }
  return true;
}

}  // namespace

bool isHeldOut(std::string_view text) {
  uint64_t hash = kFnvOffset;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnvPrime;
  }
  return hash % kHeldOutModulus == 0;
}

Result<std::vector<LabelledRow>> readLabelledRows(const std::filesystem::path& file, Part part) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return errnoError("open " + file.string());
  std::vector<LabelledRow> rows;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto row = parseRow(line, number);
    if (!row) {
      return row.error().wrap(file.string() + ":" + std::to_string(number) +
                              " (expected one JSON object per line with string \"text\", \"label\", \"source\")");
    }
    if (wanted(row->text, part)) rows.push_back(std::move(*row));
  }
  if (in.bad()) return errnoError("read " + file.string());
  return rows;
}

Result<std::string> fileSha256(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return errnoError("open " + file.string());
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return Error{"SHA-256 of " + file.string() + ": OpenSSL could not start a digest"};
  }
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0 && EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(in.gcount())) != 1) {
      return Error{"SHA-256 of " + file.string() + ": OpenSSL digest update failed"};
    }
  }
  if (in.bad()) return errnoError("read " + file.string());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1) {
    return Error{"SHA-256 of " + file.string() + ": OpenSSL digest final failed"};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace warden::tools
