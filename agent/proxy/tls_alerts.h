// Recognizes a client refusing warden's certificate during the handshake:
// the runtime does not trust warden's CA yet (or pins its own).
#pragma once

#include <boost/system/error_code.hpp>

namespace warden::proxy {

// True for the alerts clients send when they cannot verify our chain:
// unknown_ca (48), bad_certificate (42), certificate_unknown (46).
bool isCertificateRejection(const boost::system::error_code& handshakeError);

}  // namespace warden::proxy
