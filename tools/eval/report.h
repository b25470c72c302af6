// What warden-eval prints: the figures of an Evaluation as a report for
// people or one JSON object for tools, and the targets of issue 4 with
// met / MISSED.
#pragma once

#include <string>
#include <vector>

#include "eval/evaluation.h"

namespace warden::tools {

// What was evaluated, for the header of the report.
struct RunDescription {
  std::string data;
  std::vector<std::string> benignData;
  std::string part;
  std::string rules;  // directory and number of rules
  std::string injectionModel;
  std::string harmfulModel;
  size_t rowsRead = 0;
};

enum class TargetStatus { Met, Missed, NotMeasured };

struct Target {
  std::string name;
  std::string measured;
  TargetStatus status = TargetStatus::NotMeasured;
};

std::vector<Target> targetsOf(const Evaluation& e);

std::string textReport(const RunDescription& run, const Evaluation& e);
std::string jsonReport(const RunDescription& run, const Evaluation& e);

}  // namespace warden::tools
