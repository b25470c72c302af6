// What every metric family has: a name, help text, label names, and a way to
// render itself in the text format. Registry owns families; the data path
// keeps pointers to the ones it updates.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "metrics/value_limit.h"

namespace warden::metrics {

// A label whose values come from outside the agent: at most `limit`
// distinct values, the rest counted under `overflow`.
struct LabelBound {
  std::string label;
  size_t limit = 0;
  std::string overflow = "other";
};

struct FamilySpec {
  std::string name;  // warden_..., with _total for counters, _seconds for durations
  std::string help;
  std::vector<std::string> labels;  // fixed for the family
  std::vector<LabelBound> bounds;   // counters and histograms only
};

// One ValueLimit per label, null where the spec does not bound it.
std::vector<std::unique_ptr<ValueLimit>> limitsOf(const FamilySpec& spec);

class Family {
 public:
  explicit Family(FamilySpec spec) : spec_(std::move(spec)) {}
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return spec_.name; }
  const std::vector<std::string>& labels() const { return spec_.labels; }
  // Appends HELP, TYPE and every series.
  virtual void render(std::string& out) const = 0;

 protected:
  const FamilySpec spec_;
};

}  // namespace warden::metrics
