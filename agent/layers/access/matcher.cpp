#include "layers/access/matcher.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace warden::access {
namespace {

constexpr std::array<std::string_view, 16> kTextFieldNames = {
    "workload", "unit", "slice", "container", "runtime", "pod", "cgroup", "executable", "executableSha256",
    "user", "group", "comm", "provider", "host", "endpoint", "model"};
constexpr std::array<std::string_view, 3> kListFieldNames = {"toolsDeclared", "toolsCalled", "detections"};

const std::string& textValue(TextField field, const AccessRequest& request) {
  const Subject& s = request.subject;
  switch (field) {
    case TextField::Workload: return s.workloadKey;
    case TextField::Unit: return s.unit;
    case TextField::Slice: return s.slice;
    case TextField::Container: return s.containerId;
    case TextField::Runtime: return s.containerRuntime;
    case TextField::Pod: return s.podUid;
    case TextField::Cgroup: return s.cgroupPath;
    case TextField::Executable: return s.executable;
    case TextField::ExecutableSha256: return s.executableSha256;
    case TextField::User: return s.user;
    case TextField::Group: return s.group;
    case TextField::Comm: return s.comm;
    case TextField::Provider: return request.provider;
    case TextField::Host: return request.host;
    case TextField::Endpoint: return request.endpoint;
    case TextField::Model: return request.model;
  }
  return s.unit;
}

const std::vector<std::string>& listValue(ListField field, const AccessRequest& request) {
  switch (field) {
    case ListField::ToolsDeclared: return request.toolsDeclared;
    case ListField::ToolsCalled: return request.toolsCalled;
    case ListField::Detections: return request.detections;
  }
  return request.detections;
}

std::optional<uint32_t> numberValue(NumberField field, const AccessRequest& request) {
  return field == NumberField::Uid ? request.subject.uid : request.subject.gid;
}

// An absent field (a process outside any container has no container id)
// matches nothing, not even "*": `container: ["*"]` means "in a container".
bool anyGlobMatches(const std::vector<Glob>& globs, std::string_view value) {
  if (value.empty()) return false;
  for (const Glob& glob : globs) {
    if (glob.matches(value)) return true;
  }
  return false;
}

bool holds(const Criterion& c, const AccessRequest& request) {
  switch (c.kind) {
    case Criterion::Kind::Text: return anyGlobMatches(c.globs, textValue(c.text, request));
    case Criterion::Kind::List: {
      for (const std::string& item : listValue(c.list, request)) {
        if (anyGlobMatches(c.globs, item)) return true;
      }
      return false;
    }
    case Criterion::Kind::Number: {
      auto value = numberValue(c.number, request);
      return value && std::find(c.ids.begin(), c.ids.end(), *value) != c.ids.end();
    }
    case Criterion::Kind::UnknownWorkload: return request.subject.known != c.unknownWorkload;
    case Criterion::Kind::RiskAbove: return request.riskScore >= c.riskAbove;
    case Criterion::Kind::Time: return c.window.contains(request.time);
    case Criterion::Kind::Not: return !c.negated->matches(request);
  }
  return false;
}

std::string globList(const std::vector<Glob>& globs) {
  std::string out = "[";
  for (size_t i = 0; i < globs.size(); ++i) out += (i ? ", " : "") + globs[i].pattern();
  return out + "]";
}

std::string quotedList(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out + "]";
}

std::string describeSatisfied(const Matcher& matcher, const AccessRequest& request);

}  // namespace

const Criterion* Matcher::firstFailure(const AccessRequest& request) const {
  for (const Criterion& c : criteria) {
    if (!holds(c, request)) return &c;
  }
  return nullptr;
}

const Criterion* Matcher::literalCriterion(TextField field) const {
  for (const Criterion& c : criteria) {
    if (c.kind != Criterion::Kind::Text || c.text != field) continue;
    bool literal = std::all_of(c.globs.begin(), c.globs.end(), [](const Glob& g) { return g.isLiteral(); });
    if (literal) return &c;
  }
  return nullptr;
}

std::string describeFailure(const Criterion& c, const AccessRequest& request) {
  switch (c.kind) {
    case Criterion::Kind::Text: {
      const std::string name(textFieldName(c.text));
      const std::string& value = textValue(c.text, request);
      if (value.empty()) return name + " (none) not in " + globList(c.globs);
      return name + " '" + value + "' not in " + globList(c.globs);
    }
    case Criterion::Kind::List:
      return std::string(listFieldName(c.list)) + " " + quotedList(listValue(c.list, request)) + " has none of " +
             globList(c.globs);
    case Criterion::Kind::Number: {
      auto value = numberValue(c.number, request);
      std::string ids;
      for (uint32_t id : c.ids) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
      return std::string(numberFieldName(c.number)) + " " + (value ? std::to_string(*value) : "(none)") +
             " not in [" + ids + "]";
    }
    case Criterion::Kind::UnknownWorkload:
      return c.unknownWorkload ? "workload is known (unknownWorkload: true)"
                               : "workload is unknown (unknownWorkload: false)";
    case Criterion::Kind::RiskAbove: {
      char text[96];
      std::snprintf(text, sizeof text, "risk %.2f below riskAbove %.2f", request.riskScore, c.riskAbove);
      return text;
    }
    case Criterion::Kind::Time: return "time outside " + c.window.describe();
    case Criterion::Kind::Not: return "not: " + describeSatisfied(*c.negated, request);
  }
  return "?";
}

namespace {

// For a failed `not:`: what the nested block matched, in its own terms.
std::string describeSatisfied(const Matcher& matcher, const AccessRequest& request) {
  if (matcher.criteria.empty()) return "the empty match holds for every request";
  std::string out;
  for (const Criterion& c : matcher.criteria) {
    std::string part;
    switch (c.kind) {
      case Criterion::Kind::Text:
        part = std::string(textFieldName(c.text)) + " '" + textValue(c.text, request) + "' in " + globList(c.globs);
        break;
      case Criterion::Kind::List:
        part = std::string(listFieldName(c.list)) + " " + quotedList(listValue(c.list, request)) + " matches " +
               globList(c.globs);
        break;
      case Criterion::Kind::Number: part = std::string(numberFieldName(c.number)) + " listed"; break;
      case Criterion::Kind::UnknownWorkload: part = c.unknownWorkload ? "workload unknown" : "workload known"; break;
      case Criterion::Kind::RiskAbove: part = "risk at or above threshold"; break;
      case Criterion::Kind::Time: part = "time inside " + c.window.describe(); break;
      case Criterion::Kind::Not: part = "nested not: holds"; break;
    }
    out += (out.empty() ? "" : " and ") + part;
  }
  return out;
}

}  // namespace

std::string_view textFieldName(TextField field) { return kTextFieldNames[static_cast<size_t>(field)]; }

std::optional<TextField> textFieldByName(std::string_view name) {
  for (size_t i = 0; i < kTextFieldNames.size(); ++i) {
    if (kTextFieldNames[i] == name) return static_cast<TextField>(i);
  }
  return std::nullopt;
}

std::string_view listFieldName(ListField field) { return kListFieldNames[static_cast<size_t>(field)]; }

std::optional<ListField> listFieldByName(std::string_view name) {
  for (size_t i = 0; i < kListFieldNames.size(); ++i) {
    if (kListFieldNames[i] == name) return static_cast<ListField>(i);
  }
  return std::nullopt;
}

std::string_view numberFieldName(NumberField field) { return field == NumberField::Uid ? "uid" : "gid"; }

}  // namespace warden::access
