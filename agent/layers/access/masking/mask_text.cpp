#include "layers/access/masking/sensitive_data_scanner.h"

namespace warden::masking {

std::string maskText(std::string_view text, const std::vector<SensitiveMatch>& matches) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (const SensitiveMatch& m : matches) {
    if (m.offset < copied || m.offset > text.size() || m.length > text.size() - m.offset) continue;
    out.append(text.substr(copied, m.offset - copied));
    out += "[REDACTED:";
    out += m.type;
    out += ']';
    copied = m.offset + m.length;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace warden::masking
