#include "masking_eval/masking_evaluation.h"

#include <algorithm>
#include <cctype>

#include "common/measure.h"

namespace warden::tools {
namespace {

std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

bool overlaps(const masking::SensitiveMatch& m, size_t begin, size_t end) {
  return m.offset < end && begin < m.offset + m.length;
}

bool anyOverlap(const std::vector<masking::SensitiveMatch>& matches, size_t begin, size_t end, bool secretsOnly,
                std::string_view type = {}) {
  return std::any_of(matches.begin(), matches.end(), [&](const masking::SensitiveMatch& m) {
    if (secretsOnly && m.dataClass != masking::DataClass::Secret) return false;
    if (!type.empty() && m.type != type) return false;
    return overlaps(m, begin, end);
  });
}

bool hasSecret(const std::vector<masking::SensitiveMatch>& matches) {
  return std::any_of(matches.begin(), matches.end(),
                     [](const masking::SensitiveMatch& m) { return m.dataClass == masking::DataClass::Secret; });
}

}  // namespace

std::string secretTypeGroup(std::string_view labelledType) {
  const std::string t = lowerCase(labelledType);
  if (contains(t, "private key") || contains(t, "private-key") || contains(t, "privatekey") || t == "jwk") {
    return "private_key";
  }
  if (contains(t, "password") && !contains(t, "app")) return "password";
  // Before "url": curl-auth-* are headers and -u credentials, not URLs.
  if (t.starts_with("curl") || contains(t, "bearer") || t == "auth" || contains(t, "basic auth")) return "http_auth";
  if (contains(t, "url") || t == "jdbc" || t == "postgres" || t == "rabbitmq" || contains(t, "mongodb") ||
      contains(t, "redis") || contains(t, "ftp")) {
    return "connection_string";
  }
  if (t == "jwt" || contains(t, "json web token")) return "jwt";
  if (contains(t, "aws")) return "aws";
  if (contains(t, "webhook")) return "webhook";
  if (t == "key" || t == "secret" || t == "token" || t == "api" || t == "credential" || t == "salt" || t == "uuid" ||
      contains(t, "cmd ")) {
    return "generic_assignment";
  }
  return "vendor_token";
}

std::string piiTypeOf(std::string_view labelledType) {
  const std::string t = lowerCase(labelledType);
  if (t == "email_address" || t == "email") return "email_address";
  if (t == "phone_number" || t == "phone") return "phone_number";
  if (t == "credit_card") return "credit_card";
  if (t == "iban_code" || t == "iban") return "iban";
  if (t == "us_ssn" || t == "ssn") return "us_ssn";
  if (t == "ip_address") return "ip_address";
  if (t == "person" || t == "per" || t == "name") return "ner:person";
  if (t == "address" || t == "street_address") return "ner:street_address";
  if (t == "location" || t == "gpe" || t == "loc") return "ner:location";
  if (t == "organization" || t == "org") return "ner:organization";
  return "";
}

Result<SecretFigures> evaluateSecrets(const masking::SensitiveDataScanner& scanner,
                                      const std::vector<LabelledSpanRow>& rows, size_t keepExamples) {
  SecretFigures f;
  for (const LabelledSpanRow& row : rows) {
    if (row.label == "rule_negative") continue;  // another format's secret, not a negative
    auto matches = scanner.scan(row.text);
    if (!matches) return matches.error();
    const bool found = hasSecret(*matches);
    if (row.label == "secret") {
      Ratio& r = f.recallBySource[row.source];
      r.total += 1;
      r.hits += found;
      f.recall.total += 1;
      f.recall.hits += found;
      if (!found && f.missed.size() < keepExamples) f.missed.push_back(row.source + ": " + row.text.substr(0, 300));
      for (const LabelledEntity& e : row.entities) {
        if (!e.begin) continue;
        Ratio& g = f.entityRecallByGroup[secretTypeGroup(e.type)];
        g.total += 1;
        g.hits += anyOverlap(*matches, *e.begin, *e.end, true);
      }
    } else if (row.label == "no_secret") {
      Ratio& r = f.falsePositiveBySource[row.source];
      r.total += 1;
      r.hits += found;
      f.falsePositives.total += 1;
      f.falsePositives.hits += found;
      if (found && f.falselyFlagged.size() < keepExamples) {
        for (const auto& m : *matches) {
          if (m.dataClass == masking::DataClass::Secret) {
            f.falselyFlagged.push_back(m.ruleId + ": " + row.text.substr(0, 300));
            break;
          }
        }
      }
    }
  }
  return f;
}

Result<PiiFigures> evaluatePii(const masking::SensitiveDataScanner& scanner, const std::vector<LabelledSpanRow>& rows,
                               size_t keepExamples) {
  PiiFigures f;
  for (const LabelledSpanRow& row : rows) {
    auto matches = scanner.scan(row.text);
    if (!matches) return matches.error();
    if (row.entities.empty()) {
      f.overMasking.total += 1;
      f.overMasking.hits += !matches->empty();
    }
    for (const LabelledEntity& e : row.entities) {
      const std::string type = piiTypeOf(e.type);
      if (type.empty()) {
        f.outOfScope[e.type] += 1;
        continue;
      }
      if (type.starts_with("ner:")) {
        f.notDetected[type.substr(4)] += 1;
        continue;
      }
      if (!e.begin) continue;
      const bool any = anyOverlap(*matches, *e.begin, *e.end, false);
      const bool typed = anyOverlap(*matches, *e.begin, *e.end, false, type);
      f.recallByType[type].total += 1;
      f.recallByType[type].hits += any;
      f.typedRecallByType[type].total += 1;
      f.typedRecallByType[type].hits += typed;
      f.recall.total += 1;
      f.recall.hits += any;
      if (!any && f.missed.size() < keepExamples) {
        f.missed.push_back(type + ": " + row.text.substr(*e.begin, *e.end - *e.begin));
      }
    }
    for (const masking::SensitiveMatch& m : *matches) {
      const bool labelled = std::any_of(row.entities.begin(), row.entities.end(), [&](const LabelledEntity& e) {
        return e.begin && overlaps(m, *e.begin, *e.end);
      });
      if (!labelled) f.unlabelledMatches[m.type] += 1;
    }
  }
  return f;
}

Result<SpeedFigures> measureSpeed(const masking::SensitiveDataScanner& scanner,
                                  const std::vector<const std::vector<LabelledSpanRow>*>& corpora) {
  SpeedFigures f;
  std::string all;
  const double start = threadCpuSeconds();
  for (const auto* rows : corpora) {
    for (const LabelledSpanRow& row : *rows) {
      auto matches = scanner.scan(row.text);
      if (!matches) return matches.error();
      f.bytes += row.text.size();
      all += row.text;
      all += '\n';
    }
  }
  const double seconds = threadCpuSeconds() - start;
  f.megabytesPerSecond = seconds > 0 ? static_cast<double>(f.bytes) / 1e6 / seconds : 0;
  // Prompts of 4 KB made of the same texts: the cost a typical request pays.
  constexpr size_t kChunk = 4096;
  std::vector<double> micros;
  for (size_t at = 0; at + kChunk <= all.size(); at += kChunk) {
    const std::string_view chunk(all.data() + at, kChunk);
    const double before = threadCpuSeconds();
    auto matches = scanner.scan(chunk);
    if (!matches) return matches.error();
    micros.push_back((threadCpuSeconds() - before) * 1e6);
  }
  if (!micros.empty()) {
    std::sort(micros.begin(), micros.end());
    f.p99MicrosPer4k = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  }
  return f;
}

}  // namespace warden::tools
