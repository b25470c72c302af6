#include "masking_eval/labelled_spans.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace warden::tools {

std::vector<size_t> codePointOffsets(const std::string& text) {
  std::vector<size_t> offsets;
  offsets.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size(); ++i) {
    // Continuation bytes (10xxxxxx) belong to the code point before them.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(text.size());
  return offsets;
}

Result<std::vector<LabelledSpanRow>> readLabelledSpanRows(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return Error{file.string() + ": cannot open (is the labelled data there? pass its folder with --data)"};
  }
  std::vector<LabelledSpanRow> rows;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("text") || !json["text"].is_string()) {
      return Error{file.string() + ":" + std::to_string(number) + ": not a JSON object with a \"text\" string"};
    }
    LabelledSpanRow row;
    row.text = json["text"].get<std::string>();
    if (json.contains("label") && json["label"].is_string()) row.label = json["label"].get<std::string>();
    if (json.contains("source") && json["source"].is_string()) row.source = json["source"].get<std::string>();
    if (json.contains("entities") && json["entities"].is_array()) {
      const std::vector<size_t> offsets = codePointOffsets(row.text);
      const auto byteOf = [&](const nlohmann::json& v) -> std::optional<size_t> {
        if (!v.is_number_integer()) return std::nullopt;
        const auto cp = v.get<long long>();
        if (cp < 0 || static_cast<size_t>(cp) >= offsets.size()) return std::nullopt;
        return offsets[static_cast<size_t>(cp)];
      };
      for (const auto& e : json["entities"]) {
        if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) continue;
        LabelledEntity entity{e["type"].get<std::string>(), std::nullopt, std::nullopt};
        if (e.contains("start") && e.contains("end")) {
          entity.begin = byteOf(e["start"]);
          entity.end = byteOf(e["end"]);
          if (!entity.begin || !entity.end || *entity.end <= *entity.begin) entity.begin = entity.end = std::nullopt;
        }
        row.entities.push_back(std::move(entity));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace warden::tools
