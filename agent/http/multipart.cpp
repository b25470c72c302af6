#include "http/multipart.h"

#include <algorithm>

#include "http/header_parameters.h"

namespace warden::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// RFC 2046 bcharsnospace, and the space bchars adds.
bool isBoundaryChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' ||
         std::string_view("'()+_,-./:=?").find(c) != std::string_view::npos;
}

bool isTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct PartHeaders {
  std::optional<std::string> disposition;
  std::optional<std::string> contentType;
  std::optional<std::string> transferEncoding;
};

// One "Name: value" line of a part's header, without its CRLF.
Status readHeaderLine(std::string_view line, PartHeaders& out) {
  if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return Error{"a header line holds a bare CR, LF or NUL"};
  }
  if (line.empty()) return Error{"an empty header line"};
  if (line.front() == ' ' || line.front() == '\t') return Error{"obsolete line folding in the header"};
  const size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  if (colon == std::string_view::npos || name.empty() || !std::all_of(name.begin(), name.end(), isTokenChar)) {
    return Error{"malformed header line '" + std::string(line.substr(0, 80)) + "'"};
  }
  const std::string key = lowered(name);
  std::optional<std::string>* slot = nullptr;
  if (key == "content-disposition") slot = &out.disposition;
  if (key == "content-type") slot = &out.contentType;
  if (key == "content-transfer-encoding") slot = &out.transferEncoding;
  if (slot == nullptr) return {};  // RFC 7578 §4.8: other fields are ignored
  if (*slot) return Error{std::string(name) + " is given twice"};
  *slot = std::string(trimmed(line.substr(colon + 1)));
  return {};
}

Status readDisposition(std::string_view field, MultipartPart& out) {
  auto disposition = parseParameterizedValue(field);
  if (!disposition) return disposition.error().wrap("Content-Disposition");
  if (disposition->value != "form-data") {
    return Error{"Content-Disposition is '" + disposition->value + "', not form-data"};
  }
  if (disposition->parameter("name*")) return Error{"Content-Disposition: name* is not allowed (RFC 7578 §4.2)"};
  const auto name = disposition->parameter("name");
  if (!name) return Error{"Content-Disposition has no name parameter"};
  out.name = std::string(*name);
  if (const auto encoded = disposition->parameter("filename*")) {
    auto filename = decodeExtValue(*encoded);
    if (!filename) return filename.error().wrap("Content-Disposition filename*");
    out.filename = std::move(*filename);  // RFC 6266 §4.3: preferred over filename
  } else if (const auto filename = disposition->parameter("filename")) {
    out.filename = std::string(*filename);
  }
  return {};
}

Status readPartHeaders(std::string_view block, MultipartPart& out) {
  PartHeaders headers;
  while (!block.empty()) {
    const size_t end = block.find(kCrlf);  // every line of the block ends in CRLF
    if (auto status = readHeaderLine(block.substr(0, end), headers); !status) return status;
    block.remove_prefix(end + kCrlf.size());
  }
  if (!headers.disposition) return Error{"no Content-Disposition header"};
  if (auto status = readDisposition(*headers.disposition, out); !status) return status;
  if (headers.transferEncoding) {
    const std::string coding = lowered(*headers.transferEncoding);
    if (coding != "7bit" && coding != "8bit" && coding != "binary") {
      return Error{"Content-Transfer-Encoding '" + *headers.transferEncoding + "' is not read (RFC 7578 §4.7)"};
    }
  }
  out.contentType = headers.contentType.value_or("");
  return {};
}

// What follows a delimiter: "--" (the close delimiter) or CRLF (a part).
enum class AfterDelimiter { Part, Close };

Result<AfterDelimiter> afterDelimiter(std::string_view rest) {
  if (rest.starts_with("--")) {
    rest.remove_prefix(2);
    if (rest.empty() || rest == kCrlf) return AfterDelimiter::Close;
    return Error{"data after the closing boundary delimiter"};
  }
  if (rest.starts_with(kCrlf)) return AfterDelimiter::Part;
  if (rest.size() < 2 && (kCrlf.starts_with(rest) || std::string_view("--").starts_with(rest))) {
    return Error{"the body ends in a boundary delimiter line (truncated)"};
  }
  return Error{"a boundary delimiter is followed by something other than CRLF or '--'"};
}

}  // namespace

Result<std::string> multipartBoundary(std::string_view contentType) {
  if (trimmed(contentType).empty()) {
    return Error{"the request has no Content-Type; an upload must be multipart/form-data with a boundary"};
  }
  auto parsed = parseParameterizedValue(contentType);
  if (!parsed) return parsed.error().wrap("Content-Type");
  if (parsed->value != "multipart/form-data") {
    return Error{"Content-Type is '" + parsed->value + "', not multipart/form-data"};
  }
  const auto boundary = parsed->parameter("boundary");
  if (!boundary) return Error{"Content-Type multipart/form-data has no boundary parameter"};
  if (boundary->empty() || boundary->size() > 70 || boundary->back() == ' ' ||
      !std::all_of(boundary->begin(), boundary->end(), isBoundaryChar)) {
    return Error{"Content-Type boundary '" + std::string(boundary->substr(0, 80)) +
                 "' is not 1 to 70 characters of the set RFC 2046 allows"};
  }
  return std::string(*boundary);
}

Result<std::vector<MultipartPart>> readMultipart(std::string_view contentType, std::string_view body,
                                                 const MultipartLimits& limits) {
  auto boundary = multipartBoundary(contentType);
  if (!boundary) return boundary.error();
  const std::string dashBoundary = "--" + *boundary;
  const std::string delimiter = std::string(kCrlf) + dashBoundary;
  const std::string lineStartBoundary = "\n" + dashBoundary;
  if (!body.starts_with(dashBoundary)) return Error{"multipart body: does not start with the boundary delimiter"};

  std::vector<MultipartPart> parts;
  size_t at = dashBoundary.size();
  while (true) {
    auto next = afterDelimiter(body.substr(at));
    if (!next) return next.error().wrap("multipart body");
    if (*next == AfterDelimiter::Close) return parts;
    at += kCrlf.size();
    const std::string where = "multipart body: part " + std::to_string(parts.size() + 1);
    if (parts.size() == limits.maxParts) {
      return Error{"multipart body: more than " + std::to_string(limits.maxParts) + " parts"};
    }

    // The header block: lines ending in CRLF, then a blank line. A part
    // with no header lines starts with the blank line itself.
    size_t bodyStart = at + kCrlf.size();
    if (!body.substr(at).starts_with(kCrlf)) {
      const std::string_view window = body.substr(at, limits.maxHeaderBytes);
      const size_t blank = window.find("\r\n\r\n");
      if (blank == std::string_view::npos) {
        if (window.size() == limits.maxHeaderBytes) {
          return Error{where + ": header over " + std::to_string(limits.maxHeaderBytes) + " bytes"};
        }
        return Error{where + ": the body ends inside the part's header (truncated)"};
      }
      bodyStart = at + blank + 4;
    }
    MultipartPart part;
    if (auto status = readPartHeaders(body.substr(at, bodyStart - kCrlf.size() - at), part); !status) {
      return status.error().wrap(where);
    }
    const size_t end = body.find(delimiter, bodyStart);
    if (end == std::string_view::npos) return Error{where + ": no boundary delimiter after it (truncated)"};
    part.body = body.substr(bodyStart, end - bodyStart);
    // The boundary at a line start that is no delimiter here (after a bare
    // LF, or right after the blank line) is one to lenient parsers: the
    // server could see a part this reading does not.
    if (part.body.starts_with(dashBoundary) || part.body.find(lineStartBoundary) != std::string_view::npos) {
      return Error{where + ": the boundary begins a line of its content; parsers disagree whether that ends the part"};
    }
    parts.push_back(std::move(part));
    at = end + delimiter.size();
  }
}

}  // namespace warden::http
