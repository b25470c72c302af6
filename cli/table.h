// Plain-text columns for terminal output: each column as wide as its widest
// cell, two spaces apart, no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace warden::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header = {}) {
    if (!header.empty()) rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  std::string render(const std::string& indent = "  ") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace warden::cli
