// What one `wardenctl scan` found, for people (the verdict, each detection
// with the text it points at, hidden-character counts) and for scripts (the
// audit log's validation record plus the texts it indexes).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/scan_input.h"
#include "proxy/prompt_validation.h"
#include "layers/validation/normalizer.h"

namespace warden::cli {

struct ScanReport {
  std::string configSource;  // the file, or "built-in defaults"
  bool validationEnabled = true;
  ScanInput input;
  std::vector<proxy::RequestText> texts;  // point into input.request: moving keeps them valid, copying would not
  proxy::PromptValidation result;
  validation::NormalizeCounts counts;  // over all texts

  ScanReport() = default;
  ScanReport(ScanReport&&) = default;
  ScanReport& operator=(ScanReport&&) = default;
  ScanReport(const ScanReport&) = delete;
  ScanReport& operator=(const ScanReport&) = delete;
};

std::string renderScan(const ScanReport& report);
nlohmann::json scanToJson(const ScanReport& report);

}  // namespace warden::cli
