// A compiled `match:` block: every criterion must hold; each list means "any
// of". Criteria are checked in the order they were written, so `explain` can
// name the first one that failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layers/access/access_request.h"
#include "layers/access/glob.h"
#include "layers/access/time_window.h"

namespace warden::access {

// The single-valued fields a glob list is matched against.
enum class TextField : uint8_t {
  Workload, Unit, Slice, Container, Runtime, Pod, Cgroup, Executable, ExecutableSha256, User, Group, Comm,
  Provider, Host, Endpoint, Model
};
// The request's lists: the criterion holds if any element matches any glob.
enum class ListField : uint8_t { ToolsDeclared, ToolsCalled, Detections };
enum class NumberField : uint8_t { Uid, Gid };

struct Matcher;

struct Criterion {
  enum class Kind : uint8_t { Text, List, Number, UnknownWorkload, RiskAbove, Time, Not };

  Kind kind = Kind::Text;
  TextField text = TextField::Unit;
  ListField list = ListField::ToolsDeclared;
  NumberField number = NumberField::Uid;
  std::vector<Glob> globs;         // Text, List
  std::vector<uint32_t> ids;       // Number
  bool unknownWorkload = true;     // UnknownWorkload: true = only subjects without identity
  double riskAbove = 0;            // RiskAbove: riskScore >= this
  TimeWindow window;               // Time
  std::shared_ptr<const Matcher> negated;  // Not
};

struct Matcher {
  std::vector<Criterion> criteria;  // empty: matches every request

  bool matches(const AccessRequest& request) const { return firstFailure(request) == nullptr; }
  // nullptr when every criterion holds.
  const Criterion* firstFailure(const AccessRequest& request) const;
  // The Text criterion on `field` when all its globs are literals (an index key).
  const Criterion* literalCriterion(TextField field) const;
};

// Why `criterion` failed for `request`: "model 'gpt-4o' not in [gpt-4o-mini]".
std::string describeFailure(const Criterion& criterion, const AccessRequest& request);

std::string_view textFieldName(TextField field);
std::optional<TextField> textFieldByName(std::string_view name);
std::string_view listFieldName(ListField field);
std::optional<ListField> listFieldByName(std::string_view name);
std::string_view numberFieldName(NumberField field);

}  // namespace warden::access
