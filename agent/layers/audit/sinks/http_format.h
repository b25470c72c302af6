// The bodies an HTTP sink posts, one per log API, and how each API says it
// took them. Every spooled line goes out byte for byte as it was written
// (never re-serialised), so the receiving side can still check the hash
// chain, checkpoints included.
//
// Elasticsearch / OpenSearch _bulk (application/x-ndjson): per line
//   {"create":{"_index":"<index>","_id":"<id>"}}\n<line>\n
// "create" with a fixed _id makes a retry idempotent: a line already
// indexed answers 409, which counts as delivered. An event's _id is its
// "id"; a line without one (a checkpoint) gets the SHA-256 (hex) of its
// bytes, which a retry reproduces and no other line shares (each line holds
// the hash of the one before). Any other item error fails the batch.
//
// Splunk HEC (/services/collector/event), application/json: per line
//   {"time":<epoch seconds>.<milliseconds>,"host":<host>,"sourcetype":"warden:event","event":<line>}
// concatenated; success is 200 with {"code":0}.
//
// Loki push (/loki/api/v1/push), application/json:
//   {"streams":[{"stream":{"job":"warden","host":<host>},"values":[["<ns>","<line>"],...]}]}
// one stream per host, in the order the hosts first appear; success is 204
// (or 200). Loki refuses entries older than the last of a stream, and lines
// from several workers may be a little out of time order in the spool, so a
// line's timestamp is raised to the stream's latest when it is earlier (its
// own "time" stays in the line).
//
// Time and host come from the line's "time" (RFC 3339) and "host"; a line
// without them gets the current time and this machine's name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "layers/audit/sinks/sink_config.h"

namespace warden::audit {

struct HttpPayload {
  std::string contentType;
  std::string body;
};

class HttpFormatter {
 public:
  HttpFormatter(HttpFormat format, std::string index, std::string localHost);

  // The path posted to when the URL names none.
  static std::string_view defaultPath(HttpFormat format);

  HttpPayload build(std::span<const std::string_view> lines);
  // Reads a 2xx reply: whether the API took every line.
  Status check(unsigned status, std::string_view body) const;
  // The last built batch was delivered (Loki's streams move on).
  void delivered();

 private:
  void appendElasticsearch(std::string& body, std::string_view line) const;
  void appendSplunk(std::string& body, std::string_view line) const;
  void buildLoki(std::string& body, std::span<const std::string_view> lines);

  HttpFormat format_;
  std::string index_;
  std::string localHost_;
  std::map<std::string, int64_t> lokiLatest_;   // per host: the last delivered timestamp
  std::map<std::string, int64_t> lokiPending_;  // the same after the last built batch
};

// Nanoseconds since the epoch of an RFC 3339 time ("2026-11-23T04:09:35.300123456Z",
// or with an offset); nullopt when it does not read as one.
std::optional<int64_t> parseRfc3339(std::string_view text);

}  // namespace warden::audit
