// Rows of the labelled secret and PII data (secrets.dev.jsonl,
// pii.dev.jsonl): text, label, source and entities, with the entities'
// code-point offsets turned into bytes of the UTF-8 text the scanner sees.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace warden::tools {

struct LabelledEntity {
  std::string type;
  // Bytes; absent when the data gives the type but not the position.
  std::optional<size_t> begin;
  std::optional<size_t> end;
};

struct LabelledSpanRow {
  std::string text;
  std::string label;  // secrets: "secret" | "no_secret" | "rule_negative"; PII: empty
  std::string source;
  std::vector<LabelledEntity> entities;
};

// Reads every row; a missing file or a malformed line is an error naming the
// file (and line).
Result<std::vector<LabelledSpanRow>> readLabelledSpanRows(const std::filesystem::path& file);

// Byte offset of each code point of a UTF-8 text, plus one past the end.
std::vector<size_t> codePointOffsets(const std::string& text);

}  // namespace warden::tools
