#include "layers/access/matcher_parser.h"

#include <memory>

namespace warden::access {
namespace {

using yaml_reading::childPath;
using yaml_reading::describe;
using yaml_reading::Entry;
using yaml_reading::MapView;
using yaml_reading::Reader;

// A nested `not:` inside `not:` is legal but rarely meant; the cap keeps a
// hostile file from recursing deep.
constexpr int kMaxNesting = 4;

std::string itemPath(const std::string& listPath, size_t index) {
  return listPath + "[" + std::to_string(index) + "]";
}

// A non-empty list of scalars; calls `each(text, mark, path)` per item.
template <class Each>
bool readScalarList(Reader& r, const MapView& view, std::string_view key, Each each) {
  const Entry* e = r.list(view, key);
  if (!e) return false;
  const std::string path = childPath(view.path, key);
  if (e->value.size() == 0) {
    r.fail(*e, path, "is empty: list at least one value, or remove the key");
    return false;
  }
  for (size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    if (!item.IsScalar() || item.Scalar().empty()) {
      r.fail(item.Mark().is_null() ? Reader::markOf(*e) : item.Mark(), itemPath(path, i),
             "expected a non-empty value, got " + describe(item));
      return false;
    }
    if (!each(item.Scalar(), item.Mark(), itemPath(path, i))) return false;
  }
  return true;
}

bool readGlobs(Reader& r, const MapView& view, std::string_view key, std::vector<Glob>& out) {
  return readScalarList(r, view, key, [&](const std::string& text, const YAML::Mark& mark, const std::string& path) {
    auto glob = Glob::compile(text);
    if (!glob) {
      r.fail(mark, path, glob.error().message);
      return false;
    }
    out.push_back(std::move(*glob));
    return true;
  });
}

bool readIds(Reader& r, const MapView& view, std::string_view key, std::vector<uint32_t>& out) {
  return readScalarList(r, view, key, [&](const std::string& text, const YAML::Mark& mark, const std::string& path) {
    auto value = yaml_reading::parseInteger(text);
    if (!value || *value < 0 || *value > 0xffffffffLL) {
      r.fail(mark, path, "'" + text + "' is not a numeric id (0-4294967295)");
      return false;
    }
    out.push_back(static_cast<uint32_t>(*value));
    return true;
  });
}

bool readTimeWindow(Reader& r, const Entry& entry, const std::string& path, TimeWindow& window) {
  MapView view = r.map(entry.value, Reader::markOf(entry), path, {"days", "from", "to", "zone"});
  if (r.failed()) return false;
  if (view.entries.empty()) {
    r.fail(view.mark, path, "is empty: give days, from/to or both");
    return false;
  }
  if (view.find("days")) {
    window.days = 0;
    bool ok = readScalarList(r, view, "days", [&](const std::string& text, const YAML::Mark& mark,
                                                 const std::string& itemPath) {
      auto day = parseWeekday(text);
      if (!day) {
        r.fail(mark, itemPath, "'" + text + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
        return false;
      }
      window.days |= static_cast<uint8_t>(1u << *day);
      return true;
    });
    if (!ok) return false;
  }
  std::string text;
  if (const Entry* e = r.string(view, "from", text)) {
    auto minute = parseClockTime(text, false);
    if (!minute) {
      r.fail(*e, childPath(path, "from"), "'" + text + "' is not a time of day (HH:MM, 00:00-23:59)");
      return false;
    }
    window.fromMinute = *minute;
  }
  if (const Entry* e = r.string(view, "to", text)) {
    auto minute = parseClockTime(text, true);
    if (!minute) {
      r.fail(*e, childPath(path, "to"), "'" + text + "' is not a time of day (HH:MM, 00:00-24:00)");
      return false;
    }
    window.toMinute = *minute;
  }
  if (const Entry* e = r.string(view, "zone", text)) {
    auto offset = parseZoneOffset(text);
    if (!offset) {
      r.fail(*e, childPath(path, "zone"),
             "'" + text + "' is not a zone: write UTC or a fixed offset like +02:00 (named zones are not supported)");
      return false;
    }
    window.offsetMinutes = *offset;
  }
  if (window.fromMinute == window.toMinute) {
    r.fail(view.mark, path, "from and to are equal: the window would be empty");
    return false;
  }
  return !r.failed();
}

Matcher readMatcherAt(Reader& r, const YAML::Node& node, const YAML::Mark& mark, const std::string& path, int depth) {
  Matcher matcher;
  MapView view = r.map(node, mark, path,
                       {"workload", "unit", "slice", "container", "runtime", "pod", "cgroup", "executable",
                        "executableSha256", "user", "uid", "group", "gid", "comm", "unknownWorkload", "provider",
                        "host", "endpoint", "model", "toolsDeclared", "toolsCalled", "detections", "riskAbove", "time",
                        "not"});
  for (const Entry& entry : view.entries) {
    if (r.failed()) break;
    Criterion c;
    const std::string keyPath = childPath(path, entry.key);
    if (auto field = textFieldByName(entry.key)) {
      c.kind = Criterion::Kind::Text;
      c.text = *field;
      if (!readGlobs(r, view, entry.key, c.globs)) break;
    } else if (auto list = listFieldByName(entry.key)) {
      c.kind = Criterion::Kind::List;
      c.list = *list;
      if (!readGlobs(r, view, entry.key, c.globs)) break;
    } else if (entry.key == "uid" || entry.key == "gid") {
      c.kind = Criterion::Kind::Number;
      c.number = entry.key == "uid" ? NumberField::Uid : NumberField::Gid;
      if (!readIds(r, view, entry.key, c.ids)) break;
    } else if (entry.key == "unknownWorkload") {
      c.kind = Criterion::Kind::UnknownWorkload;
      if (!r.boolean(view, entry.key, c.unknownWorkload)) break;
    } else if (entry.key == "riskAbove") {
      c.kind = Criterion::Kind::RiskAbove;
      if (!r.fraction(view, entry.key, c.riskAbove)) break;
    } else if (entry.key == "time") {
      c.kind = Criterion::Kind::Time;
      if (!readTimeWindow(r, entry, keyPath, c.window)) break;
    } else if (entry.key == "not") {
      if (depth >= kMaxNesting) {
        r.fail(entry.keyNode.Mark(), keyPath, "nested too deep (at most " + std::to_string(kMaxNesting) + " levels)");
        break;
      }
      if (!entry.value.IsMap() || entry.value.size() == 0) {
        r.fail(entry, keyPath, "expected a map of criteria to negate, got " + describe(entry.value));
        break;
      }
      c.kind = Criterion::Kind::Not;
      c.negated = std::make_shared<const Matcher>(readMatcherAt(r, entry.value, Reader::markOf(entry), keyPath,
                                                                depth + 1));
    }
    matcher.criteria.push_back(std::move(c));
  }
  return matcher;
}

}  // namespace

Matcher readMatcher(Reader& reader, const YAML::Node& node, const YAML::Mark& mark, const std::string& path) {
  return readMatcherAt(reader, node, mark, path, 0);
}

std::string positionOf(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace warden::access
