#include "http/request_checks.h"

#include <string>
#include <vector>

namespace warden::http {

namespace {

bool isTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!isTchar(c)) return false;
  }
  return true;
}

bool isDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Printable, bounded, for messages: header bytes come from any local process.
std::string shown(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out;
  for (char c : text.substr(0, kMax)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > kMax) out += "...";
  return out;
}

Error refused(const std::string& why) { return Error{"request header refused: " + why}; }

struct RequestLine {
  bool http10 = false;
};

Result<RequestLine> checkRequestLine(std::string_view line) {
  if (line.empty()) return refused("an empty line before the request line");
  const size_t firstSpace = line.find(' ');
  const size_t secondSpace = firstSpace == std::string_view::npos ? firstSpace : line.find(' ', firstSpace + 1);
  if (secondSpace == std::string_view::npos) {
    return refused("malformed request line '" + shown(line) + "' (expected 'METHOD target HTTP/1.1')");
  }
  const std::string_view method = line.substr(0, firstSpace);
  const std::string_view target = line.substr(firstSpace + 1, secondSpace - firstSpace - 1);
  const std::string_view version = line.substr(secondSpace + 1);
  if (!isToken(method)) return refused("malformed method in request line '" + shown(line) + "'");
  if (target.empty()) return refused("empty request target in '" + shown(line) + "'");
  for (char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return refused("control character in the request target");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return refused("unsupported HTTP version '" + shown(version) + "' (HTTP/1.1 or HTTP/1.0 expected)");
  }
  return RequestLine{version == "HTTP/1.0"};
}

// RFC 9112 6.1: the final transfer coding must be chunked, applied once. We
// want the lower-case spelling every client sends: an upstream that did not
// recognise a variant as chunked would frame the body differently from us.
Status checkTransferEncoding(std::string_view combined) {
  const std::string message = "Transfer-Encoding '" + shown(combined) + "'";
  std::vector<std::string_view> codings;
  while (true) {
    const size_t comma = combined.find(',');
    const std::string_view coding = trimmed(combined.substr(0, comma));
    if (!isToken(coding)) return refused(message + " is not a list of transfer codings");
    codings.push_back(coding);
    if (comma == std::string_view::npos) break;
    combined.remove_prefix(comma + 1);
  }
  if (codings.back() != "chunked") return refused(message + ": the final coding must be exactly 'chunked'");
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (iequals(codings[i], "chunked")) return refused(message + ": 'chunked' may be applied only once");
  }
  return {};
}

}  // namespace

std::optional<size_t> headerEnd(std::string_view buffered) {
  const size_t pos = buffered.find("\r\n\r\n");
  if (pos == std::string_view::npos) return std::nullopt;
  return pos + 4;
}

Result<void> checkRequestHeader(std::string_view rawHeader, const HeaderLimits& limits) {
  if (const auto end = headerEnd(rawHeader)) rawHeader = rawHeader.substr(0, *end);
  if (rawHeader.size() > limits.maxHeaderBytes) {
    return refused("the header is " + std::to_string(rawHeader.size()) + " bytes, over the limit of " +
                   std::to_string(limits.maxHeaderBytes));
  }
  if (rawHeader.find('\0') != std::string_view::npos) return refused("a NUL byte in the header");

  std::optional<RequestLine> requestLine;
  size_t fields = 0;
  size_t lineNumber = 0;
  bool hasContentLength = false;
  bool hasHost = false;
  std::optional<std::string> transferEncoding;
  size_t pos = 0;
  while (true) {
    const size_t eol = rawHeader.find_first_of("\r\n", pos);
    const std::string where = "line " + std::to_string(++lineNumber);
    if (eol != std::string_view::npos && rawHeader[eol] == '\n') {
      return refused("a bare LF ends " + where + " (lines must end in CRLF)");
    }
    if (eol == std::string_view::npos || eol + 1 == rawHeader.size()) {
      return refused("incomplete header (no blank line ends it)");
    }
    if (rawHeader[eol + 1] != '\n') return refused("a bare CR in " + where + " (lines must end in CRLF)");
    const std::string_view line = rawHeader.substr(pos, eol - pos);
    pos = eol + 2;

    if (!requestLine) {
      auto parsed = checkRequestLine(line);
      if (!parsed) return parsed.error();
      requestLine = *parsed;
      continue;
    }
    if (line.empty()) break;

    if (line.front() == ' ' || line.front() == '\t') {
      return refused("obsolete line folding at " + where + " (a header line starting with a space or tab)");
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return refused("no colon in header " + where + " '" + shown(line) + "'");
    const std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) {
      return refused("whitespace between the field name '" + shown(trimmed(name)) + "' and its colon");
    }
    if (!isToken(name)) return refused("invalid field name '" + shown(name) + "' at " + where);
    if (++fields > limits.maxHeaderCount) {
      return refused("more than " + std::to_string(limits.maxHeaderCount) + " header fields");
    }
    const std::string_view value = trimmed(line.substr(colon + 1));

    if (iequals(name, "content-length")) {
      if (hasContentLength) return refused("more than one Content-Length");
      hasContentLength = true;
      if (!isDigits(value)) return refused("Content-Length '" + shown(value) + "' is not plain digits");
      // 19 digits always fit in 64 bits; a longer length is no real body.
      if (value.size() > 19) return refused("Content-Length '" + shown(value) + "' is too large");
    } else if (iequals(name, "transfer-encoding")) {
      // Repeated fields form one list (RFC 9110 5.3).
      if (transferEncoding) {
        transferEncoding->append(", ").append(value);
      } else {
        transferEncoding.emplace(value);
      }
    } else if (iequals(name, "host")) {
      // Routing and policy read the host: two of them could be read two ways.
      if (hasHost) return refused("more than one Host");
      hasHost = true;
    }
  }

  if (transferEncoding) {
    if (hasContentLength) return refused("both Content-Length and Transfer-Encoding");
    if (requestLine->http10) return refused("Transfer-Encoding on an HTTP/1.0 request");
    if (Status s = checkTransferEncoding(*transferEncoding); !s) return s;
  }
  return {};
}

}  // namespace warden::http
