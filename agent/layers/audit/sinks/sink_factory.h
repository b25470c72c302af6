// Builds the sink an audit.sinks entry describes.
#pragma once

#include <memory>

#include "core/result.h"
#include "layers/audit/sinks/sink.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::audit {

// Checks the entry and loads its files (CA, client key, authorization);
// network sinks connect on their first delivery, so a receiver that is down
// at startup delays nothing.
Result<std::unique_ptr<Sink>> makeSink(const SinkConfig& config);

}  // namespace warden::audit
