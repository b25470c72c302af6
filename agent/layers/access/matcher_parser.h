// Reads a `match:` (or a key's `allow:`) block into a Matcher, with the
// positioned errors of core/yaml_reader.h.
#pragma once

#include <string>

#include "core/yaml_reader.h"
#include "layers/access/matcher.h"

namespace warden::access {

// `node` may be null (a key with nothing under it): the matcher then has no
// criteria and matches every request.
Matcher readMatcher(yaml_reading::Reader& reader, const YAML::Node& node, const YAML::Mark& mark,
                    const std::string& path);

// "FILE:LINE:COLUMN" of a node, for decisions and duplicate-id messages.
std::string positionOf(const std::string& source, const YAML::Mark& mark);

}  // namespace warden::access
