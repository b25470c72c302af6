// warden's event lines as OCSF 1.1.0 "API Activity" (class 6003) events, for
// sinks whose receiver ingests OCSF without a custom parser. The mapping is
// the table in docs/events.md; what OCSF has no place for stays under
// `unmapped`, so nothing of the event is lost on the way.
#pragma once

#include <string>
#include <string_view>

namespace warden::audit {

// One warden event line (JSON, no newline) as one OCSF JSON object (no
// newline). Lines that are not API activity (checkpoints, agent start and
// stop, sink trouble) become class 6003 events with activity 99 (Other), and
// the original line under `unmapped`. A line that is not JSON is returned
// as it is.
std::string toOcsf(std::string_view line);

}  // namespace warden::audit
