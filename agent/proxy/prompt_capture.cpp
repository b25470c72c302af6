#include "proxy/prompt_capture.h"

#include <algorithm>

#include "proxy/prompt_validation.h"

namespace warden::proxy {
namespace {

size_t capturedBytes(const audit::CaptureRecord& record) {
  size_t bytes = record.completion.size();
  for (const auto& text : record.prompt) bytes += text.text.size();
  return bytes;
}

// Cuts `text` to at most `room` bytes without splitting a UTF-8 sequence.
// True when something was cut.
bool cutTo(std::string& text, size_t room) {
  if (text.size() <= room) return false;
  size_t end = room;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return true;
}

// Texts are masked first and cut after, so a cut can only shorten a mask,
// never leave part of the value it replaced.
void keep(audit::CaptureRecord& record, std::string& text) {
  const size_t used = capturedBytes(record);
  const size_t room = used >= kCapturedBytes ? 0 : kCapturedBytes - used;
  if (cutTo(text, room)) record.truncated = true;
}

}  // namespace

audit::CaptureRecord capturePrompt(std::string entry, std::span<const RequestText> texts,
                                   const std::vector<providers::TextEdit>& sanitized, const SensitiveScan& scan) {
  audit::CaptureRecord record;
  record.entry = std::move(entry);
  for (const RequestText& text : texts) {
    std::string kept;
    const auto found = std::find_if(scan.texts.begin(), scan.texts.end(),
                                    [&](const SensitiveScan::FoundIn& f) { return f.pointer == text.ref->pointer; });
    if (found != scan.texts.end()) {
      kept = masking::maskText(found->text, found->matches);
      record.masked += found->matches.size();
    } else {
      const auto edit = std::find_if(sanitized.begin(), sanitized.end(),
                                     [&](const providers::TextEdit& e) { return e.pointer == text.ref->pointer; });
      kept = edit != sanitized.end() ? edit->text : text.ref->text;
    }
    keep(record, kept);
    record.prompt.push_back({std::string(validation::messagePartName(text.part)), std::move(kept)});
    if (record.truncated) break;
  }
  return record;
}

void captureCompletion(audit::CaptureRecord& record, std::string_view completion,
                       const masking::SensitiveDataScanner& scanner) {
  if (completion.empty() || !record.completion.empty()) return;
  // Scanned a little beyond what can be kept, so a secret that straddles
  // the cut is found; the cut then moves to its start.
  constexpr size_t kScanMargin = 8 * 1024;
  const size_t used = capturedBytes(record);
  const size_t room = used >= kCapturedBytes ? 0 : kCapturedBytes - used;
  const std::string_view scanned = completion.substr(0, std::min(completion.size(), room + kScanMargin));
  auto matches = scanner.scan(scanned);
  if (!matches) {
    record.truncated = true;  // nothing unmasked is kept
    return;
  }
  // The cut is made in the original text, before masking: a mask is never
  // shorter or longer than what the cut can reason about.
  size_t cut = std::min(completion.size(), room);
  std::vector<masking::SensitiveMatch> kept;
  for (const auto& match : *matches) {
    if (match.offset >= cut) break;
    if (match.offset + match.length > cut) {
      cut = match.offset;
      break;
    }
    kept.push_back(match);
  }
  record.masked += kept.size();
  record.completion = masking::maskText(scanned.substr(0, cut), kept);
  if (cut < completion.size()) record.truncated = true;
  keep(record, record.completion);
}

}  // namespace warden::proxy
