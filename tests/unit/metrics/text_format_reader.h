// Reads a page in the Prometheus text format 0.0.4, so tests check what the
// registry renders by parsing it, not by matching strings. Stricter than a
// scraper: every line must be a HELP, a TYPE or a sample of a family whose
// TYPE came before (the renderer writes no blank lines or other comments);
// label values are unescaped, and values must be numbers.
#pragma once

#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::metrics::test {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct ParsedFamily {
  std::string help;
  std::string type;
};

struct ParsedPage {
  std::map<std::string, ParsedFamily> families;
  std::vector<ParsedSample> samples;  // in page order
  std::string error;                  // the first line that does not read, and why

  // The value of the sample with exactly these labels, if there is one.
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& sample : samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
    return std::nullopt;
  }
  std::vector<ParsedSample> all(const std::string& name) const {
    std::vector<ParsedSample> out;
    for (const auto& sample : samples) {
      if (sample.name == name) out.push_back(sample);
    }
    return out;
  }
};

namespace detail {

inline bool isNameChar(char c, bool first, bool metric) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
  return letter || (!first && c >= '0' && c <= '9');
}

inline std::string readName(std::string_view& s, bool metric) {
  size_t n = 0;
  while (n < s.size() && isNameChar(s[n], n == 0, metric)) ++n;
  std::string name(s.substr(0, n));
  s.remove_prefix(n);
  return name;
}

inline std::optional<double> readValue(std::string_view text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text.empty()) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

// The family a sample belongs to: a histogram's _bucket/_sum/_count are its.
inline std::string familyOf(const std::string& sample, const std::map<std::string, ParsedFamily>& families) {
  if (families.count(sample)) return sample;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string_view s(suffix);
    if (sample.size() > s.size() && sample.ends_with(s)) {
      const std::string base = sample.substr(0, sample.size() - s.size());
      auto it = families.find(base);
      if (it != families.end() && it->second.type == "histogram") return base;
    }
  }
  return "";
}

inline std::string parseSample(std::string_view line, ParsedPage& page) {
  ParsedSample sample;
  sample.name = readName(line, true);
  if (sample.name.empty()) return "no metric name";
  if (familyOf(sample.name, page.families).empty()) return "sample of " + sample.name + " before its TYPE";
  if (!line.empty() && line.front() == '{') {
    line.remove_prefix(1);
    while (!line.empty() && line.front() != '}') {
      const std::string label = readName(line, false);
      if (label.empty()) return "bad label name";
      if (line.substr(0, 2) != "=\"") return "no =\" after label " + label;
      line.remove_prefix(2);
      std::string value;
      for (;;) {
        if (line.empty()) return "unterminated value of label " + label;
        const char c = line.front();
        line.remove_prefix(1);
        if (c == '"') break;
        if (c == '\n') return "raw newline in label " + label;
        if (c != '\\') {
          value += c;
          continue;
        }
        if (line.empty()) return "dangling escape in label " + label;
        const char e = line.front();
        line.remove_prefix(1);
        if (e == 'n') {
          value += '\n';
        } else if (e == '\\' || e == '"') {
          value += e;
        } else {
          return std::string("unknown escape \\") + e;
        }
      }
      if (!sample.labels.emplace(label, value).second) return "label " + label + " twice";
      if (!line.empty() && line.front() == ',') line.remove_prefix(1);
    }
    if (line.empty()) return "unterminated label set";
    line.remove_prefix(1);
  }
  if (line.empty() || line.front() != ' ') return "no space before the value";
  line.remove_prefix(1);
  const auto value = readValue(line);
  if (!value) return "value \"" + std::string(line) + "\" is not a number";
  sample.value = *value;
  page.samples.push_back(std::move(sample));
  return "";
}

}  // namespace detail

inline ParsedPage parsePage(std::string_view text) {
  ParsedPage page;
  if (!text.empty() && text.back() != '\n') {
    page.error = "the page does not end with a newline";
    return page;
  }
  size_t lineNumber = 0;
  while (!text.empty()) {
    ++lineNumber;
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    std::string why;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::string_view rest = line.substr(7);
      const std::string name = detail::readName(rest, true);
      if (name.empty() || rest.empty() || rest.front() != ' ') {
        why = "bad comment";
      } else if (line[2] == 'H') {
        page.families[name].help = std::string(rest.substr(1));
      } else {
        const std::string type(rest.substr(1));
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped") {
          why = "unknown type " + type;
        } else if (!page.families[name].type.empty()) {
          why = "second TYPE for " + name;
        } else {
          page.families[name].type = type;
        }
      }
    } else if (line.empty() || line.front() == '#') {
      why = "unexpected line";
    } else {
      why = detail::parseSample(line, page);
    }
    if (!why.empty()) {
      page.error = "line " + std::to_string(lineNumber) + ": " + why + ": " + std::string(line);
      return page;
    }
  }
  return page;
}

}  // namespace warden::metrics::test
