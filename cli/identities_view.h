// `wardenctl identities`: the agent's answer to "identities" as a table.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace warden::cli {

std::string renderIdentities(const nlohmann::json& answer);

}  // namespace warden::cli
