#include "proxy/sensitive_data_scan.h"

#include <chrono>
#include <string_view>

#include "proxy/prompt_validation.h"

namespace warden::proxy {
namespace {

std::string_view currentText(const providers::TextRef& ref, const std::vector<providers::TextEdit>& sanitized) {
  for (const auto& edit : sanitized) {
    if (edit.pointer == ref.pointer) return edit.text;
  }
  return ref.text;
}

}  // namespace

SensitiveScan scanSensitiveData(const masking::SensitiveDataScanner& scanner, std::span<const RequestText> texts,
                                const std::vector<providers::TextEdit>& sanitized) {
  SensitiveScan out;
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string_view text = currentText(*texts[i].ref, sanitized);
    auto matches = scanner.scan(text);
    if (!matches) {
      out.record.error = matches.error().message;
      out.texts.clear();
      break;
    }
    if (matches->empty()) continue;
    for (const auto& match : *matches) {
      audit::SensitiveFinding finding;
      finding.id = match.ruleId;
      finding.type = match.type;
      finding.dataClass = std::string(masking::dataClassName(match.dataClass));
      finding.text = i;
      finding.offset = match.offset;
      finding.length = match.length;
      out.record.findings.push_back(std::move(finding));
      (match.dataClass == masking::DataClass::Secret ? out.record.secrets : out.record.pii) += 1;
    }
    out.texts.push_back({texts[i].ref->pointer, std::string(text), std::move(matches).value()});
  }
  out.record.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  return out;
}

std::vector<providers::TextEdit> maskingEdits(SensitiveScan& scan) {
  std::vector<providers::TextEdit> edits;
  edits.reserve(scan.texts.size());
  for (const auto& found : scan.texts) edits.push_back({found.pointer, masking::maskText(found.text, found.matches)});
  scan.record.maskedTexts = edits.size();
  return edits;
}

}  // namespace warden::proxy
