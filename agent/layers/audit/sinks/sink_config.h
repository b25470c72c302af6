// One entry of audit.sinks in warden.yaml.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace warden::audit {

enum class SinkType { File, Syslog, Http };
// The body an HTTP sink posts, one per log API.
enum class HttpFormat {
  Elasticsearch,  // NDJSON for _bulk (also OpenSearch): an index action line before each event
  Splunk,         // HEC /services/collector/event: one {"time","host","sourcetype","event"} object per event
  Loki,           // /loki/api/v1/push: {"streams":[{"stream":{labels},"values":[[ns, line], ...]}]}
};

struct SinkConfig {
  std::string name;  // unique among sinks; names its cursor file
  SinkType type = SinkType::File;

  // file: appended JSON lines (for journald, Fluent Bit, Vector to pick up)
  std::string path;

  // syslog: RFC 5424 messages with octet-counting framing (RFC 6587) over
  // TCP, in TLS (RFC 5425) unless tls is false.
  std::string address;  // host:port ([v6]:port)
  bool tls = true;
  std::string caFile;      // "" = the system's trust store
  std::string certFile;    // client certificate, "" = none
  std::string keyFile;
  std::string serverName;  // name checked on the server's certificate; "" = the address's host

  // http: batches POSTed to url (http:// or https://, TLS verified with caFile)
  std::string url;
  HttpFormat format = HttpFormat::Elasticsearch;
  std::string index = "warden";   // elasticsearch: the _index of each action
  std::string authorizationFile;  // a file holding the Authorization header's value, "" = none

  // all sinks
  bool ocsf = false;           // event_format: ocsf: lines go out as OCSF API Activity events
  uint32_t batchEvents = 500;  // lines per deliver() at most
  std::chrono::milliseconds timeout{10000};  // connect, and each round trip

  friend bool operator==(const SinkConfig&, const SinkConfig&) = default;
};

}  // namespace warden::audit
