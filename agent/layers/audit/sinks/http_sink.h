// POSTs the audit trail in batches to a log API over HTTP/1.1 (keep-alive,
// TLS verified): Elasticsearch/OpenSearch _bulk, Splunk HEC or Loki; the
// bodies are described in http_format.h.
//
// A URL without a path posts to the API's usual one (/_bulk,
// /services/collector/event, /loki/api/v1/push). The Authorization header's
// value is read once from a file (trimmed) and never logged. Every failure
// is retried by the runner, so nothing is lost: 5xx, 408, 429 and
// connection errors are the server's trouble; any other 4xx (and 3xx) says
// the configuration is wrong, and the error says so.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "layers/audit/sinks/http_client.h"
#include "layers/audit/sinks/http_format.h"
#include "layers/audit/sinks/sink.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::audit {

class HttpSink final : public Sink {
 public:
  // Checks the URL, reads the authorization file and loads the TLS files;
  // connects on the first delivery.
  static Result<std::unique_ptr<HttpSink>> create(const SinkConfig& config);

  Status deliver(std::span<const std::string_view> lines) override;
  void reset() override;
  std::string describe() const override;

 private:
  HttpSink(const SinkConfig& config, HttpUrl url, std::string authorization, std::unique_ptr<HttpClient> client);

  HttpFormat format_;
  HttpUrl url_;
  std::string target_;
  std::string authorization_;
  HttpFormatter formatter_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace warden::audit
