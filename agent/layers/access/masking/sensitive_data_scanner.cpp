#include "layers/access/masking/sensitive_data_scanner.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text_memory.h"
#include "layers/access/masking/value_checks.h"
#include "layers/access/masking/value_span.h"

namespace warden::masking {
namespace {

std::atomic<uint64_t> nextGeneration{1};

// One scratch per thread, grown to fit every database the thread has used:
// Vectorscan scratch must not be shared between threads, and allocating it
// per scan would cost more than the scan.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::vector<uint64_t> sizedFor;

  ~ThreadScratch() { hs_free_scratch(scratch); }

  hs_scratch_t* forDatabase(const hs_database_t* database, uint64_t generation) {
    if (std::find(sizedFor.begin(), sizedFor.end(), generation) != sizedFor.end()) return scratch;
    if (hs_alloc_scratch(database, &scratch) != HS_SUCCESS) return nullptr;
    if (sizedFor.size() >= 16) sizedFor.clear();  // only a cache: a miss re-checks the size
    sizedFor.push_back(generation);
    return scratch;
  }
};

thread_local ThreadScratch threadScratch;

struct RawHit {
  uint32_t rule = 0;
  size_t from = 0;
  size_t to = 0;
};

// Vectorscan reports every end of a variable-length match, each with the
// same leftmost start: those are folded into one as they arrive, so a long
// token costs one entry, not one per byte. Hits with another start stay
// apart and are checked apart: folded, "4111 1111 1111 1111 123" would be
// one 19-digit number that fails Luhn, and the card in it would go
// unmasked.
struct HitCollector {
  const std::vector<uint32_t>* patternRule = nullptr;
  std::vector<RawHit> hits;
  std::vector<size_t> lastOfRule;  // index into hits, or kNone
  size_t maxHits = 0;
};

constexpr size_t kNone = static_cast<size_t>(-1);

int onMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto& c = *static_cast<HitCollector*>(ctx);
  const uint32_t rule = (*c.patternRule)[id];
  const size_t last = c.lastOfRule[rule];
  if (last != kNone && from == c.hits[last].from) {
    RawHit& hit = c.hits[last];
    hit.to = std::max(hit.to, static_cast<size_t>(to));
    return 0;
  }
  c.lastOfRule[rule] = c.hits.size();
  c.hits.push_back({rule, static_cast<size_t>(from), static_cast<size_t>(to)});
  // A text made of candidates (a dump of addresses) fails the scan at the
  // limit; scanning on would only cost time.
  return c.hits.size() >= c.maxHits ? 1 : 0;
}

bool isAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Without look-behind, a pattern that must not start inside a word takes
// the byte before it ("(^|[^0-9a-f:])..."): that byte is not masked.
size_t leadingContext(std::string_view match, ValueCheck check) {
  const auto keep = [&](char c) {
    switch (check) {
      case ValueCheck::Ipv6:
        return isAlnum(c) || c == ':';
      case ValueCheck::Phone:
        return isAlnum(c) || c == '(' || c == '+';
      default:
        return isAlnum(c) || c == '~' || c == '.' || c == '_' || c == '-' || c == '+' || c == '(';
    }
  };
  return !match.empty() && !keep(match.front()) ? 1 : 0;
}

// The span a hit masks, if its value passes the rule's check.
std::optional<ValueSpan> maskedSpan(const MaskingRule& rule, std::string_view text, const RawHit& hit) {
  std::optional<ValueSpan> span;
  switch (rule.span) {
    case MaskSpan::Match: {
      const size_t skip = leadingContext(text.substr(hit.from, hit.to - hit.from), rule.check);
      span = ValueSpan{hit.from + skip, hit.to - hit.from - skip, false};
      break;
    }
    case MaskSpan::ValueAfter:
      span = valueAfter(text, hit.to);
      break;
    case MaskSpan::UrlPassword:
      span = urlPassword(text, hit.to);
      break;
    case MaskSpan::PemBlock:
      span = pemBlock(text, hit.from, hit.to);
      break;
  }
  if (!span || span->length == 0) return std::nullopt;
  if (!passesCheck(rule.check, text.substr(span->offset, span->length), span->quoted)) return std::nullopt;
  return span;
}

// Which of two overlapping matches is masked: the surer one; on a tie a
// secret before personal data, then the longer.
bool stronger(const SensitiveMatch& a, const SensitiveMatch& b) {
  if (a.confidence != b.confidence) return a.confidence > b.confidence;
  if (a.dataClass != b.dataClass) return a.dataClass == DataClass::Secret;
  return a.length > b.length;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"read masking rules " + path + ": cannot open (check the path and its permissions)"};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{"read masking rules " + path + ": read failed"};
  return text.str();
}

}  // namespace

SensitiveDataScanner::~SensitiveDataScanner() { hs_free_database(database_); }

Result<std::shared_ptr<const SensitiveDataScanner>> SensitiveDataScanner::compile(std::vector<MaskingRule> rules,
                                                                                  ScanLimits limits) {
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (rules[j].id == rules[i].id) {
        return Error{rules[i].source + ": rule " + rules[i].id + ": duplicate id (first defined at " + rules[j].source +
                     "); rule ids must be unique across all masking rule files"};
      }
    }
  }
  std::shared_ptr<SensitiveDataScanner> scanner(new SensitiveDataScanner());
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (size_t r = 0; r < rules.size(); ++r) {
    for (const std::string& pattern : rules[r].patterns) {
      ids.push_back(static_cast<unsigned>(expressions.size()));
      expressions.push_back(pattern.c_str());
      // Token formats are case-sensitive; rules ask for (?i) where a keyword is not.
      flags.push_back(HS_FLAG_SOM_LEFTMOST);
      scanner->patternRule_.push_back(static_cast<uint32_t>(r));
    }
  }
  if (expressions.empty()) return Error{"masking rules: no rules to compile (add a rule file under policies/masking/)"};
  hs_compile_error_t* compileError = nullptr;
  const hs_error_t rc =
      hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(expressions.size()),
                       HS_MODE_BLOCK, nullptr, &scanner->database_, &compileError);
  if (rc != HS_SUCCESS) {
    const std::string message = compileError && compileError->message ? compileError->message : "unknown error";
    const int index = compileError ? compileError->expression : -1;
    hs_free_compile_error(compileError);
    if (index >= 0 && static_cast<size_t>(index) < expressions.size()) {
      const uint32_t r = scanner->patternRule_[static_cast<size_t>(index)];
      size_t first = 0;
      while (scanner->patternRule_[first] != r) ++first;
      return Error{rules[r].source + ": rule " + rules[r].id + ": patterns[" +
                   std::to_string(static_cast<size_t>(index) - first) + "] '" +
                   expressions[static_cast<size_t>(index)] + "' does not compile: " + message};
    }
    return Error{"masking rules: Vectorscan could not compile the rules: " + message};
  }
  scanner->rules_ = std::move(rules);
  scanner->limits_ = limits;
  scanner->generation_ = nextGeneration.fetch_add(1);
  return std::shared_ptr<const SensitiveDataScanner>(std::move(scanner));
}

Result<std::shared_ptr<const SensitiveDataScanner>> SensitiveDataScanner::load(const std::string& rulesDir,
                                                                               ScanLimits limits) {
  std::error_code ec;
  std::vector<std::string> paths;
  for (std::filesystem::directory_iterator it(rulesDir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string ext = it->path().extension().string();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file()) paths.push_back(it->path().string());
  }
  if (ec) return Error{"read masking rules directory " + rulesDir + ": " + ec.message()};
  if (paths.empty()) return Error{"read masking rules directory " + rulesDir + ": no *.yaml rule files found"};
  std::sort(paths.begin(), paths.end());
  std::vector<MaskingRule> all;
  for (const std::string& path : paths) {
    auto text = readFile(path);
    if (!text) return text.error();
    auto rules = parseMaskingRules(*text, path);
    if (!rules) return rules.error();
    for (MaskingRule& rule : *rules) all.push_back(std::move(rule));
  }
  return compile(std::move(all), limits);
}

size_t MatchesCost::operator()(const std::vector<SensitiveMatch>& matches) const {
  size_t cost = 0;
  for (const SensitiveMatch& m : matches) cost += sizeof m + m.type.size() + m.ruleId.size();
  return cost;
}

Result<std::vector<SensitiveMatch>> SensitiveDataScanner::scan(std::string_view text) const {
  if (text.empty()) return std::vector<SensitiveMatch>{};
  // Per thread: no lock on the request path. A memory belongs to one
  // scanner; a reloaded rule set starts with an empty one.
  thread_local TextMemory<std::vector<SensitiveMatch>, MatchesCost> memory;
  thread_local uint64_t memoryOwner = 0;
  if (memoryOwner != generation_) {
    memory.reset(limits_.memoryBytesPerThread);
    memoryOwner = generation_;
  }
  if (const auto* known = memory.find(0, text)) return *known;
  auto found = scanUncached(text);
  if (!found) return found;
  return *memory.insert(0, text, std::move(found.value()));
}

Result<std::vector<SensitiveMatch>> SensitiveDataScanner::scanUncached(std::string_view text) const {
  std::vector<SensitiveMatch> out;
  hs_scratch_t* scratch = threadScratch.forDatabase(database_, generation_);
  if (!scratch) return Error{"sensitive data scan: cannot allocate Vectorscan scratch (out of memory?)"};
  HitCollector collector;
  collector.patternRule = &patternRule_;
  collector.lastOfRule.assign(rules_.size(), kNone);
  // Candidates that fail their check are dropped later, so collect more than are kept.
  collector.maxHits = std::max<size_t>(limits_.maxMatches * 8, 1024);
  // Vectorscan takes a 32-bit length; larger texts are scanned in pieces
  // (a match across a piece boundary is missed, a cost only beyond 4 GiB).
  for (size_t at = 0; at < text.size(); at += UINT_MAX) {
    const size_t size = std::min<size_t>(text.size() - at, UINT_MAX);
    const size_t before = collector.hits.size();
    const hs_error_t rc =
        hs_scan(database_, text.data() + at, static_cast<unsigned>(size), 0, scratch, onMatch, &collector);
    for (size_t h = before; h < collector.hits.size(); ++h) {
      collector.hits[h].from += at;
      collector.hits[h].to += at;
    }
    if (rc == HS_SCAN_TERMINATED) {
      return Error{"sensitive data scan: more than " + std::to_string(collector.maxHits) +
                   " candidate matches in one text"};
    }
    if (rc != HS_SUCCESS) return Error{"sensitive data scan: Vectorscan error " + std::to_string(rc)};
  }

  std::vector<SensitiveMatch> candidates;
  candidates.reserve(collector.hits.size());
  for (const RawHit& hit : collector.hits) {
    const MaskingRule& rule = rules_[hit.rule];
    const auto span = maskedSpan(rule, text, hit);
    if (!span) continue;
    candidates.push_back({span->offset, span->length, rule.dataClass, rule.type, rule.id, rule.confidence});
  }
  std::sort(candidates.begin(), candidates.end(), [](const SensitiveMatch& a, const SensitiveMatch& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return stronger(a, b);
  });
  // Overlapping matches become one mask over their union, named after the
  // stronger: keeping one span and dropping the other would forward what
  // only the other covered ("Xk9#" of a password holding an e-mail address).
  for (SensitiveMatch& m : candidates) {
    if (!out.empty() && m.offset < out.back().offset + out.back().length) {
      SensitiveMatch& kept = out.back();
      const size_t start = kept.offset;  // sorted: never after m's
      const size_t end = std::max(kept.offset + kept.length, m.offset + m.length);
      if (stronger(m, kept)) kept = std::move(m);
      kept.offset = start;
      kept.length = end - start;
      continue;
    }
    out.push_back(std::move(m));
  }
  if (out.size() > limits_.maxMatches) {
    return Error{"sensitive data scan: more than " + std::to_string(limits_.maxMatches) + " matches in one text"};
  }
  return out;
}

}  // namespace warden::masking
