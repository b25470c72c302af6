// The rules of the Prometheus text exposition format 0.0.4 that every family
// follows when it renders: valid names, escaped label values and help text,
// and how numbers are written.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace warden::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool isValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus).
bool isValidLabelName(std::string_view name);

// Label values may hold anything a process names itself (comm), so bytes that
// are not UTF-8 become U+FFFD: the format is UTF-8 and scrapers reject the
// whole page otherwise. Backslash, double quote and newline are escaped.
void appendLabelValue(std::string& out, std::string_view value);
// HELP text: backslash and newline escaped (and UTF-8 made valid, as above).
void appendHelp(std::string& out, std::string_view help);

// Integers as integers; other values shortest-exact, "+Inf", "-Inf", "NaN".
void appendValue(std::string& out, double value);
void appendValue(std::string& out, uint64_t value);

// `name{a="x",b="y"}`, or `name` alone when there are no labels. `extraName`
// / `extraValue` add one more label at the end (a histogram's le).
void appendSeriesName(std::string& out, std::string_view name, std::span<const std::string> labelNames,
                      std::span<const std::string> labelValues, std::string_view extraName = {},
                      std::string_view extraValue = {});

// "# HELP name help\n# TYPE name type\n"
void appendHeader(std::string& out, std::string_view name, std::string_view help, std::string_view type);

}  // namespace warden::metrics
