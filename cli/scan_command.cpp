#include "cli/scan_command.h"

#include <exception>
#include <optional>
#include <string>

#include "app/config.h"
#include "app/validation_settings.h"
#include "cli/agent_config.h"
#include "cli/commands.h"
#include "cli/scan_report.h"

namespace warden::cli {
namespace {

int fail(std::ostream& err, const Error& error) {
  err << "wardenctl: " << error.message << "\n";
  return kExitFailure;
}

// wardend refuses bodies over limits.max_request_body_bytes before reading
// them; so does the scan, which also bounds what it holds.
Result<std::string> readInput(const ScanOptions& scan, std::istream& in, uint64_t maxBytes) {
  std::string bytes;
  if (scan.text) {
    bytes = *scan.text;
  } else {
    char buf[64 * 1024];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      bytes.append(buf, static_cast<size_t>(in.gcount()));
      if (bytes.size() > maxBytes) break;
    }
    if (in.bad()) return Error{"read standard input: the stream failed"};
  }
  if (bytes.size() > maxBytes) {
    return Error{"the input is larger than limits.max_request_body_bytes (" + std::to_string(maxBytes) +
                 " bytes); wardend refuses such a request before inspecting it"};
  }
  return bytes;
}

validation::NormalizeCounts countsOf(const std::vector<proxy::RequestText>& texts, const validation::NormalizeLimits& limits) {
  validation::NormalizeCounts sum;
  for (const auto& t : texts) {
    const auto c = validation::normalize(t.ref->text, limits).counts;
    sum.zeroWidth += c.zeroWidth;
    sum.bidi += c.bidi;
    sum.variationSelectors += c.variationSelectors;
    sum.tagCharacters += c.tagCharacters;
    sum.confusablesFolded += c.confusablesFolded;
    sum.invalidUtf8 += c.invalidUtf8;
    sum.notScannedBytes += c.notScannedBytes;
    sum.segmentsNotDecoded += c.segmentsNotDecoded;
  }
  return sum;
}

}  // namespace

int exitCodeOf(validation::Verdict verdict) {
  switch (verdict) {
    case validation::Verdict::Allow:
      return kExitOk;
    case validation::Verdict::Flag:
      return kExitFlag;
    case validation::Verdict::Sanitize:
      return kExitSanitize;
    case validation::Verdict::Block:
      return kExitBlock;
  }
  return kExitBlock;
}

int runScan(const Options& options, std::istream& in, std::ostream& out, std::ostream& err) {
  const ScanOptions& scan = options.scan;
  auto config = loadAgentConfig(options.configPath, options.configGiven, options.json, err);
  if (!config) return fail(err, config.error());
  if (!config->validation.enabled && !options.json) {
    err << "wardenctl: validation is disabled in " << config->sourcePath
        << " (validation.enabled: false): wardend does not check prompts; scanning with its engine anyway\n";
  }
  auto engine = app::loadValidationEngine(config->validation);
  if (!engine) return fail(err, engine.error());

  auto bytes = readInput(scan, in, config->maxRequestBodyBytes);
  if (!bytes) return fail(err, bytes.error());
  auto input = readScanInput(*bytes, {scan.apiPath, scan.apiHost, config->maxJsonDepth});
  if (!input) return fail(err, input.error());

  ScanReport report;
  report.configSource = config->sourcePath.empty() ? "built-in defaults" : config->sourcePath;
  report.validationEnabled = config->validation.enabled;
  report.input = std::move(input.value());
  report.texts = proxy::requestTexts(report.input.request);
  report.result = proxy::validatePrompt(**engine, report.texts, isRewritable(report.input.request));
  report.counts = countsOf(report.texts, (*engine)->policy().normalize);

  if (options.json) {
    // Prompts need not be valid UTF-8; the document must be.
    try {
      out << scanToJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } catch (const std::exception& e) {
      return fail(err, Error{std::string("write the scan as JSON: ") + e.what()});
    }
  } else {
    out << renderScan(report);
  }
  return exitCodeOf(report.result.verdict);
}

}  // namespace warden::cli
