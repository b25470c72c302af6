#include "layers/audit/sinks/http_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "core/unique_fd.h"

namespace warden::audit {
namespace {

constexpr size_t kMaxAuthorizationBytes = size_t{64} << 10;
constexpr size_t kReplySnippet = 200;

std::string localHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string_view formatName(HttpFormat format) {
  switch (format) {
    case HttpFormat::Elasticsearch:
      return "elasticsearch";
    case HttpFormat::Splunk:
      return "splunk";
    case HttpFormat::Loki:
      return "loki";
  }
  return "http";
}

// The header value, as the file holds it less surrounding white space. Its
// content is a secret: errors name the file, never what is in it.
Result<std::string> readAuthorization(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoError("read the authorization file " + path);
  std::string text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read the authorization file " + path);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
    if (text.size() > kMaxAuthorizationBytes) return Error{"the authorization file " + path + " is too large"};
  }
  const auto isSpace = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && isSpace(static_cast<unsigned char>(text.back()))) text.pop_back();
  const size_t start = static_cast<size_t>(std::find_if_not(text.begin(), text.end(), isSpace) - text.begin());
  text.erase(0, start);
  if (text.empty()) return Error{"the authorization file " + path + " is empty"};
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return Error{"the authorization file " + path + " must hold one line (the Authorization header's value)"};
  }
  return text;
}

std::string snippet(std::string_view body) {
  std::string out(body.substr(0, kReplySnippet));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<HttpSink>> HttpSink::create(const SinkConfig& config) {
  const std::string context = "audit sink " + config.name;
  Result<HttpUrl> url = parseHttpUrl(config.url);
  if (!url) return url.error().wrap(context);
  std::string authorization;
  if (!config.authorizationFile.empty()) {
    Result<std::string> read = readAuthorization(config.authorizationFile);
    if (!read) return read.error().wrap(context);
    authorization = std::move(read.value());
  }
  HttpTlsFiles tls{config.caFile, config.certFile, config.keyFile};
  Result<std::unique_ptr<HttpClient>> client = HttpClient::create(*url, tls, config.timeout);
  if (!client) return client.error().wrap(context);
  return std::unique_ptr<HttpSink>(
      new HttpSink(config, std::move(url.value()), std::move(authorization), std::move(client.value())));
}

HttpSink::HttpSink(const SinkConfig& config, HttpUrl url, std::string authorization, std::unique_ptr<HttpClient> client)
    : format_(config.format),
      url_(std::move(url)),
      target_(url_.target.empty() || url_.target == "/" ? std::string(HttpFormatter::defaultPath(config.format))
                                                        : url_.target),
      authorization_(std::move(authorization)),
      formatter_(config.format, config.index, localHostName()),
      client_(std::move(client)) {}

std::string HttpSink::describe() const {
  return "http " + std::string(formatName(format_)) + " " + url_.origin() + target_;
}

void HttpSink::reset() { client_->close(); }

Status HttpSink::deliver(std::span<const std::string_view> lines) {
  if (lines.empty()) return {};
  const HttpPayload payload = formatter_.build(lines);
  Result<HttpReply> reply = client_->post(target_, payload.contentType, authorization_, payload.body);
  if (!reply) return reply.error();
  const unsigned status = reply->status;
  const std::string answered = "HTTP " + std::to_string(status) + " " + reply->reason;
  if (status >= 200 && status < 300) {
    if (Status taken = formatter_.check(status, reply->body); !taken) return taken;
    formatter_.delivered();
    return {};
  }
  if (status == 408 || status == 429 || status >= 500) {
    return Error{answered + " (the server is busy or failing): " + snippet(reply->body)};
  }
  return Error{answered +
               ": a configuration problem, check the sink's url, index and authorization_file (retrying "
               "anyway, the lines wait in the spool): " +
               snippet(reply->body)};
}

}  // namespace warden::audit
