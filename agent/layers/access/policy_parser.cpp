#include "layers/access/policy_parser.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "layers/access/matcher_parser.h"

namespace warden::access {
namespace {

using yaml_reading::childPath;
using yaml_reading::describe;
using yaml_reading::Entry;
using yaml_reading::MapView;
using yaml_reading::Reader;

constexpr int64_t kMaxPriority = 1'000'000;
constexpr int64_t kMaxLimit = 1'000'000'000'000LL;

std::string itemPath(const std::string& listPath, size_t index) {
  return listPath + "[" + std::to_string(index) + "]";
}

bool isName(const std::string& text) {
  if (text.empty() || !std::isalnum(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  }
  return true;
}

// Parses one file; methods stop at the reader's first error.
class DocumentParser {
 public:
  DocumentParser(Reader& reader, std::string source) : r_(reader), source_(std::move(source)) {}

  std::optional<PolicyDocument> document(const YAML::Node& root) {
    MapView top = r_.map(root, root.Mark(), "", {"apiVersion", "kind", "metadata", "spec"});
    std::string apiVersion, kind;
    if (const Entry* e = required(top, "apiVersion", std::string("write apiVersion: ") + kApiVersion)) {
      if (r_.string(top, "apiVersion", apiVersion) && apiVersion != kApiVersion) {
        r_.fail(*e, "apiVersion", "unknown apiVersion '" + apiVersion + "' (expected " + kApiVersion + ")");
      }
    }
    if (const Entry* e = required(top, "kind", std::string("write kind: ") + kPolicyKind)) {
      if (r_.string(top, "kind", kind) && kind != kPolicyKind) {
        r_.fail(*e, "kind", "unknown kind '" + kind + "' (expected " + kPolicyKind + ")");
      }
    }
    PolicyDocument doc;
    const Entry* metadata = required(top, "metadata", "give at least metadata.name");
    if (metadata) {
      MapView meta = r_.map(metadata->value, Reader::markOf(*metadata), "metadata", {"name", "description"});
      if (const Entry* e = required(meta, "name", "name the policy")) {
        if (r_.string(meta, "name", doc.name) && !isName(doc.name)) {
          r_.fail(*e, "metadata.name", "'" + doc.name + "' is not a name (letters, digits, - _ . :)");
        }
      }
      r_.string(meta, "description", doc.description);
    }
    if (const Entry* spec = required(top, "spec", "a policy needs rules, a default, budgets, keys or capture")) {
      readSpec(*spec, doc);
    }
    if (r_.failed()) return std::nullopt;
    return doc;
  }

 private:
  const Entry* required(const MapView& view, std::string_view key, const std::string& hint) {
    if (r_.failed()) return nullptr;
    const Entry* e = view.find(key);
    if (!e) r_.fail(view.mark, childPath(view.path, key), "missing (" + hint + ")");
    return e;
  }

  bool mode(const MapView& view, Mode& out) {
    std::string text;
    const Entry* e = r_.string(view, "mode", text);
    if (!e) return false;
    if (text == "enforce") {
      out = Mode::Enforce;
    } else if (text == "monitor") {
      out = Mode::Monitor;
    } else {
      r_.fail(*e, childPath(view.path, "mode"), "unknown mode '" + text + "' (enforce or monitor)");
      return false;
    }
    return true;
  }

  bool action(const MapView& view, Action& out) {
    const Entry* e = required(view, "action", "allow, deny, monitor or redact");
    std::string text;
    if (!e || !r_.string(view, "action", text)) return false;
    static const std::pair<const char*, Action> kActions[] = {
        {"allow", Action::Allow}, {"deny", Action::Deny}, {"monitor", Action::Monitor}, {"redact", Action::Redact}};
    for (const auto& [name, value] : kActions) {
      if (text == name) {
        out = value;
        return true;
      }
    }
    r_.fail(*e, childPath(view.path, "action"), "unknown action '" + text + "' (allow, deny, monitor or redact)");
    return false;
  }

  bool id(const MapView& view, std::string& out, Origin& origin) {
    const Entry* e = required(view, "id", "every item needs an id, unique across all policy files");
    if (!e || !r_.string(view, "id", out)) return false;
    origin = {positionOf(source_, Reader::markOf(*e)), childPath(view.path, "id")};
    if (!isName(out)) {
      r_.fail(*e, origin.path, "'" + out + "' is not an id (letters, digits, - _ . :)");
      return false;
    }
    return true;
  }

  // Each element of a list must be a map; calls `each(node, path)`.
  template <class Each>
  void forEachItem(const MapView& view, std::string_view key, Each each) {
    const Entry* e = r_.list(view, key);
    if (!e) return;
    const std::string path = childPath(view.path, key);
    for (size_t i = 0; i < e->value.size() && !r_.failed(); ++i) {
      const YAML::Node item = e->value[i];
      if (!item.IsMap()) {
        r_.fail(item.Mark().is_null() ? Reader::markOf(*e) : item.Mark(), itemPath(path, i),
                "expected a map, got " + describe(item));
        return;
      }
      each(item, itemPath(path, i));
    }
  }

  void readSpec(const Entry& spec, PolicyDocument& doc) {
    MapView view = r_.map(spec.value, Reader::markOf(spec), "spec", {"mode", "rules", "default", "budgets", "keys", "capture"});
    mode(view, doc.mode);
    forEachItem(view, "rules", [&](const YAML::Node& node, const std::string& path) {
      doc.rules.push_back(readRule(node, path, doc));
    });
    if (const Entry* e = view.find("default"); e && !r_.failed()) doc.defaultDecision = readDefault(*e, doc);
    forEachItem(view, "budgets", [&](const YAML::Node& node, const std::string& path) {
      doc.budgets.push_back(readBudget(node, path, doc));
    });
    forEachItem(view, "keys", [&](const YAML::Node& node, const std::string& path) {
      doc.keys.push_back(readKey(node, path, doc));
    });
    forEachItem(view, "capture", [&](const YAML::Node& node, const std::string& path) {
      doc.captures.push_back(readCapture(node, path, doc));
    });
  }

  CaptureEntry readCapture(const YAML::Node& node, const std::string& path, const PolicyDocument& doc) {
    CaptureEntry capture;
    MapView view = r_.map(node, node.Mark(), path, {"id", "description", "match"});
    capture.source = positionOf(source_, view.mark);
    capture.policyName = doc.name;
    id(view, capture.id, capture.idOrigin);
    r_.string(view, "description", capture.description);
    // Required: capturing every workload's prompts must be written out, not
    // reached by forgetting a match.
    if (const Entry* e = required(view, "match", "whose prompts are captured; {} for every workload");
        e && !r_.failed()) {
      capture.match = readMatcher(r_, e->value, Reader::markOf(*e), childPath(path, "match"));
    }
    return capture;
  }

  Rule readRule(const YAML::Node& node, const std::string& path, const PolicyDocument& doc) {
    Rule rule;
    MapView view = r_.map(node, node.Mark(), path,
                          {"id", "description", "priority", "mode", "match", "action", "reason"});
    rule.source = positionOf(source_, view.mark);
    rule.policyName = doc.name;
    rule.mode = doc.mode;
    id(view, rule.id, rule.idOrigin);
    r_.string(view, "description", rule.description);
    r_.integer(view, "priority", -kMaxPriority, kMaxPriority, rule.priority, "a priority");
    mode(view, rule.mode);
    if (const Entry* e = view.find("match"); e && !r_.failed()) {
      rule.match = readMatcher(r_, e->value, Reader::markOf(*e), childPath(path, "match"));
    }
    action(view, rule.action);
    r_.string(view, "reason", rule.reason);
    return rule;
  }

  DefaultDecision readDefault(const Entry& entry, const PolicyDocument& doc) {
    DefaultDecision out;
    MapView view = r_.map(entry.value, Reader::markOf(entry), "spec.default", {"action", "mode", "reason"});
    out.mode = doc.mode;
    out.policyName = doc.name;
    out.source = positionOf(source_, view.mark);
    out.origin = {out.source, "spec.default"};
    action(view, out.action);
    mode(view, out.mode);
    r_.string(view, "reason", out.reason);
    return out;
  }

  Budget readBudget(const YAML::Node& node, const std::string& path, const PolicyDocument& doc) {
    Budget budget;
    MapView view = r_.map(node, node.Mark(), path,
                          {"id", "description", "match", "per", "requestsPerMinute", "requestsPerDay",
                           "tokensPerMinute", "tokensPerDay"});
    budget.source = positionOf(source_, view.mark);
    budget.policyName = doc.name;
    id(view, budget.id, budget.idOrigin);
    if (const Entry* e = view.find("match"); e && !r_.failed()) {
      budget.match = readMatcher(r_, e->value, Reader::markOf(*e), childPath(path, "match"));
    }
    std::string per;
    if (const Entry* e = r_.string(view, "per", per)) {
      if (per == "workload" || per == "rule") {
        budget.perWorkload = per == "workload";
      } else {
        r_.fail(*e, childPath(path, "per"), "unknown value '" + per + "' (workload or rule)");
      }
    }
    limit(view, "requestsPerMinute", budget.requestsPerMinute);
    limit(view, "requestsPerDay", budget.requestsPerDay);
    limit(view, "tokensPerMinute", budget.tokensPerMinute);
    limit(view, "tokensPerDay", budget.tokensPerDay);
    if (!r_.failed() && !budget.requestsPerMinute && !budget.requestsPerDay && !budget.tokensPerMinute &&
        !budget.tokensPerDay) {
      r_.fail(view.mark, path, "sets no limit (give requestsPerMinute, requestsPerDay, tokensPerMinute or tokensPerDay)");
    }
    return budget;
  }

  void limit(const MapView& view, std::string_view key, std::optional<uint64_t>& out) {
    uint64_t value = 0;
    if (r_.integer(view, key, 1, kMaxLimit, value, "a limit")) out = value;
  }

  KeyEntry readKey(const YAML::Node& node, const std::string& path, const PolicyDocument& doc) {
    KeyEntry key;
    MapView view = r_.map(node, node.Mark(), path,
                          {"id", "description", "provider", "sha256", "allow", "broker", "mode"});
    key.source = positionOf(source_, view.mark);
    key.policyName = doc.name;
    key.mode = doc.mode;
    id(view, key.id, key.idOrigin);
    r_.string(view, "provider", key.provider);
    if (const Entry* e = required(view, "sha256", "the hex SHA-256 of the key, e.g. printf %s \"$KEY\" | sha256sum")) {
      if (r_.string(view, "sha256", key.sha256)) {
        key.sha256Origin = {positionOf(source_, Reader::markOf(*e)), childPath(path, "sha256")};
        bool hex = key.sha256.size() == 64;
        for (char& c : key.sha256) {
          hex = hex && std::isxdigit(static_cast<unsigned char>(c));
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (!hex) r_.fail(*e, key.sha256Origin.path, "not a SHA-256 (64 hex digits); never put the key itself here");
      }
    }
    if (const Entry* e = required(view, "allow", "a match of the workloads that may present the key")) {
      if (!r_.failed()) key.allow = readMatcher(r_, e->value, Reader::markOf(*e), childPath(path, "allow"));
    }
    if (const Entry* e = view.find("broker"); e && !r_.failed()) {
      const std::string brokerPath = childPath(path, "broker");
      MapView broker = r_.map(e->value, Reader::markOf(*e), brokerPath, {"secret"});
      if (const Entry* s = required(broker, "secret", "the name of the key in the secrets file")) {
        if (r_.string(broker, "secret", key.brokerSecret)) {
          key.brokerOrigin = {positionOf(source_, Reader::markOf(*s)), childPath(brokerPath, "secret")};
          if (!isName(key.brokerSecret)) {
            r_.fail(*s, key.brokerOrigin.path, "'" + key.brokerSecret + "' is not a secret name (letters, digits, - _ . :)");
          }
        }
      }
    }
    mode(view, key.mode);
    return key;
  }

  Reader& r_;
  std::string source_;
};

}  // namespace

size_t PolicyFile::ruleCount() const {
  size_t n = 0;
  for (const auto& d : documents) n += d.rules.size();
  return n;
}

size_t PolicyFile::budgetCount() const {
  size_t n = 0;
  for (const auto& d : documents) n += d.budgets.size();
  return n;
}

size_t PolicyFile::keyCount() const {
  size_t n = 0;
  for (const auto& d : documents) n += d.keys.size();
  return n;
}

Result<PolicyFile> parsePolicyText(const std::string& yamlText, const std::string& sourceName) {
  std::vector<YAML::Node> roots;
  try {
    roots = YAML::LoadAll(yamlText);
  } catch (const YAML::Exception& e) {
    return Error{positionOf(sourceName, e.mark) + ": invalid YAML: " + e.msg};
  }
  PolicyFile file;
  file.path = sourceName;
  Reader reader(sourceName);
  DocumentParser parser(reader, sourceName);
  for (const YAML::Node& root : roots) {
    if (root.IsNull()) continue;  // a document of comments only (the shipped examples)
    auto doc = parser.document(root);
    if (!doc) return reader.error();
    file.documents.push_back(std::move(*doc));
  }
  return file;
}

Result<PolicyFile> readPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errnoError("open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return errnoError("read " + path);
  return parsePolicyText(text.str(), path);
}

}  // namespace warden::access
