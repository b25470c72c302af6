#include "eval/eval_options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iterator>

namespace warden::tools {
namespace {

Result<double> parseFraction(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < 0 || v > 1) {
    return Error{flag + ": \"" + text + "\" is not a number between 0 and 1"};
  }
  return v;
}

Result<size_t> parseCount(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || text[0] == '-') {
    return Error{flag + ": \"" + text + "\" is not a count"};
  }
  return static_cast<size_t>(v);
}

Result<Part> parsePart(const std::string& text) {
  if (text == "held-out") return Part::HeldOut;
  if (text == "train") return Part::Train;
  if (text == "all") return Part::All;
  return Error{"--part: \"" + text + "\" is not one of held-out, train, all"};
}

}  // namespace

std::string_view partName(Part part) {
  switch (part) {
    case Part::HeldOut:
      return "held-out";
    case Part::Train:
      return "train";
    case Part::All:
      return "all";
  }
  return "unknown";
}

std::string evalUsage() {
  return R"(usage: warden-eval --data FILE [options]

Runs warden's layer-1 engine (signature rules, classifiers, structural checks:
the same PromptInspector wardend uses) over labelled JSONL rows, one at a time
on one thread, each row as one user text, and prints how well it separates
attacks (label injection or jailbreak) from benign rows, per source, with
latency. Rows labelled harmful are scored by the harmful detector. Other
labels are counted and ignored.

  --data FILE                 labelled JSONL ({"text","label","source",...} per line)
  --part held-out|train|all   which rows (default held-out: the rows whose text's
                              FNV-1a 64 hash is 0 mod 5, never used by warden-train)
  --rules DIR                 signature rules (default <source>/policies/rules)
  --injection-model FILE      (default <source>/policies/models/injection.model if
                              present; "none" for rules only)
  --harmful-model FILE        (default <source>/policies/models/harmful.model if
                              present; "none" to leave it out)
  --benign-data FILE          add the benign rows of FILE (same --part); may repeat.
                              Gives the harmful detector a false-positive rate.
  --variants                  also rewrite every attack and harmful row in 8 ways
                              (zero-width, homoglyph, tag characters, emoji
                              selectors, base64, leetspeak, mixed case, split
                              words) and print recall on each next to clean recall
  --json                      print one JSON summary instead of the report
  --min-balanced-accuracy X   exit 1 if the balanced accuracy is below X (a CI guard)
  --show-errors N             print up to N missed attacks and N flagged benign rows
  --latency-rounds N          time N passes over the 4 KB prompts (default 4, at
                              least 1); more rounds steady the figure on a busy machine
  --help                      this text

Exit status: 0 done, 1 below --min-balanced-accuracy (or nothing to compute it
from), 2 usage or input error.
)";
}

Result<EvalOptions> parseEvalOptions(const std::vector<std::string>& args, const std::string& sourceDir) {
  EvalOptions o;
  o.rulesDir = sourceDir + "/policies/rules";
  o.injectionModel = sourceDir + "/policies/models/injection.model";
  o.harmfulModel = sourceDir + "/policies/models/harmful.model";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Error{flag + " needs a value (see --help)"};
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    if (flag == "--variants") {
      o.variants = true;
      continue;
    }
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    static const char* const kValueFlags[] = {
        "--data",          "--benign-data",           "--part",       "--rules", "--injection-model",
        "--harmful-model", "--min-balanced-accuracy", "--show-errors",
        "--latency-rounds"};
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), flag) == std::end(kValueFlags)) {
      return Error{"unknown option " + flag + " (see --help)"};
    }
    auto v = value();
    if (!v) return v.error();
    if (flag == "--data") {
      o.data = *v;
    } else if (flag == "--benign-data") {
      o.benignData.push_back(*v);
    } else if (flag == "--part") {
      auto part = parsePart(*v);
      if (!part) return part.error();
      o.part = *part;
    } else if (flag == "--rules") {
      o.rulesDir = *v;
    } else if (flag == "--injection-model") {
      o.injectionModel = *v == "none" ? "" : *v;
      o.injectionModelGiven = true;
    } else if (flag == "--harmful-model") {
      o.harmfulModel = *v == "none" ? "" : *v;
      o.harmfulModelGiven = true;
    } else if (flag == "--min-balanced-accuracy") {
      auto x = parseFraction(flag, *v);
      if (!x) return x.error();
      o.minBalancedAccuracy = *x;
    } else if (flag == "--show-errors") {
      auto n = parseCount(flag, *v);
      if (!n) return n.error();
      o.showErrors = *n;
    } else if (flag == "--latency-rounds") {
      auto n = parseCount(flag, *v);
      if (!n) return n.error();
      if (*n == 0) return Error{flag + " must be at least 1"};
      o.latencyRounds = *n;
    }
  }
  if (o.data.empty()) return Error{"--data FILE is required (see --help)"};
  return o;
}

}  // namespace warden::tools
