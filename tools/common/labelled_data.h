// Labelled text in the shared JSONL format ({"text", "label", "source", ...}
// per line), and the one split that training and evaluation agree on: a row
// belongs to the held-out part when the hash of its text says so, so
// duplicate texts always fall on the same side and no tool can evaluate on a
// row the trainer saw.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace warden::tools {

struct LabelledRow {
  std::string text;
  std::string label;   // "injection", "jailbreak", "benign", "harmful", ...
  std::string source;  // where the row came from; rates are reported per source
  std::string category;
  size_t line = 0;     // 1-based, for messages
};

enum class Part { Train, HeldOut, All };

// FNV-1a 64 of the exact text bytes; held out when hash % 5 == 0 (20%).
bool isHeldOut(std::string_view text);

// Reads every row; a malformed line is an error naming file and line.
Result<std::vector<LabelledRow>> readLabelledRows(const std::filesystem::path& file, Part part);

// SHA-256 of the file, hex, to record in a model what it was trained on.
Result<std::string> fileSha256(const std::filesystem::path& file);

}  // namespace warden::tools
