#include "proxy/tls_alerts.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>

namespace warden::proxy {

bool isCertificateRejection(const boost::system::error_code& handshakeError) {
  if (handshakeError.category() != boost::asio::error::get_ssl_category()) return false;
  // Asio carries OpenSSL's packed error code; a received alert shows up as
  // the reason SSL_AD_REASON_OFFSET + alert number.
  const auto reason = ERR_GET_REASON(static_cast<unsigned long>(handshakeError.value()));
  return reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
         reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN;
}

}  // namespace warden::proxy
