#include "proxy/connection_info.h"

namespace warden::proxy {

audit::Event makeEvent(audit::EventType type, const ConnectionInfo& info) {
  audit::Event event;
  event.type = type;
  // No id here: the event log assigns it on its own thread, so the data path
  // never pays a getrandom() per request.
  event.time = std::chrono::system_clock::now();
  event.identity = info.origin.identity;
  event.originalDst = info.origin.originalDst;
  event.sni = info.sni;
  event.mode = info.mode;
  return event;
}

}  // namespace warden::proxy
