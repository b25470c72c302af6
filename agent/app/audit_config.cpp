#include "app/audit_config.h"

#include <set>

#include "core/endpoint.h"
#include "layers/audit/sinks/http_client.h"

namespace warden::app {
namespace {

using yaml_reading::Entry;
using yaml_reading::MapView;
using yaml_reading::Reader;

constexpr int64_t kMiB = 1 << 20;

// Sink names become file names (their cursors) and metric labels.
bool isSinkName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  const auto address = Endpoint::parseAddress(host);
  if (!address) return false;
  if (address->isV4Mapped()) return address->addr[12] == 127;
  return *address == *Endpoint::parseAddress("::1");
}

void readSpool(Reader& r, const Entry* e, AuditConfig& a) {
  if (!e) return;
  MapView m = r.map(e->value, e->keyNode.Mark(), "audit.spool",
                    {"dir", "segment_mib", "segment_age_s", "max_mib", "on_full"});
  r.absolutePath(m, "dir", a.spoolDir);
  int64_t segmentMiB = static_cast<int64_t>(a.segmentBytes / kMiB);
  if (r.integer(m, "segment_mib", 1, 4096, segmentMiB, "a size in MiB")) a.segmentBytes = segmentMiB * kMiB;
  r.duration(m, "segment_age_s", 1, 7 * 86400, a.segmentAge);
  int64_t maxMiB = static_cast<int64_t>(a.maxSpoolBytes / kMiB);
  const Entry* max = r.integer(m, "max_mib", 2, int64_t{1} << 22, maxMiB, "a size in MiB");
  if (max) a.maxSpoolBytes = maxMiB * kMiB;
  std::string onFull;
  if (const Entry* f = r.string(m, "on_full", onFull)) {
    if (onFull == "block") {
      a.onFull = AuditConfig::OnFull::Block;
    } else if (onFull == "drop") {
      a.onFull = AuditConfig::OnFull::Drop;
    } else {
      r.fail(*f, "audit.spool.on_full", "'" + onFull + "' is not block or drop");
    }
  }
  // The active segment alone must leave room for the ones waiting for sinks.
  if (!r.failed() && a.maxSpoolBytes < 2 * a.segmentBytes) {
    r.fail(max ? Reader::markOf(*max) : m.mark, "audit.spool.max_mib",
           std::to_string(a.maxSpoolBytes / kMiB) + " must be at least twice audit.spool.segment_mib (" +
               std::to_string(a.segmentBytes / kMiB) + ")");
  }
}

void readSinkType(Reader& r, const MapView& view, const std::string& path, audit::SinkConfig& s) {
  std::string type;
  const Entry* t = r.string(view, "type", type);
  if (!t) {
    if (!r.failed()) r.fail(view.mark, path + ".type", "missing (file, syslog or http)");
    return;
  }
  if (type == "file") {
    s.type = audit::SinkType::File;
  } else if (type == "syslog") {
    s.type = audit::SinkType::Syslog;
  } else if (type == "http") {
    s.type = audit::SinkType::Http;
  } else {
    r.fail(*t, path + ".type", "'" + type + "' is not file, syslog or http");
  }
}

// Keys that belong to another type of sink are mistakes, not noise.
void refuseForeignKeys(Reader& r, const MapView& view, const std::string& path, const audit::SinkConfig& s) {
  static const std::set<std::string> kCommon = {"name", "type", "batch_events", "timeout_ms", "event_format"};
  static const std::set<std::string> kFile = {"path"};
  static const std::set<std::string> kSyslog = {"address", "tls", "ca_file", "cert_file", "key_file", "server_name"};
  static const std::set<std::string> kHttp = {"url", "format", "index", "authorization_file", "ca_file"};
  const auto& own = s.type == audit::SinkType::File ? kFile : s.type == audit::SinkType::Syslog ? kSyslog : kHttp;
  const char* typeName = s.type == audit::SinkType::File ? "file" : s.type == audit::SinkType::Syslog ? "syslog" : "http";
  for (const auto& entry : view.entries) {
    if (kCommon.count(entry.key) || own.count(entry.key)) continue;
    r.fail(entry.keyNode.Mark(), path + "." + entry.key, std::string("does not apply to a ") + typeName + " sink");
    return;
  }
}

void requireKey(Reader& r, const MapView& view, const std::string& path, const char* key, const char* example) {
  if (r.failed() || view.find(key)) return;
  r.fail(view.mark, path + "." + key, std::string("missing (for example ") + example + ")");
}

void readSink(Reader& r, const YAML::Node& item, const std::string& path, audit::SinkConfig& s) {
  MapView view = r.map(item, item.Mark(), path,
                       {"name", "type", "batch_events", "timeout_ms", "event_format", "path", "address", "tls", "ca_file",
                        "cert_file", "key_file", "server_name", "url", "format", "index", "authorization_file"});
  if (const Entry* n = r.string(view, "name", s.name); n && !isSinkName(s.name)) {
    r.fail(*n, path + ".name", "'" + s.name + "' is not a sink name (1-64 letters, digits, - or _)");
  }
  requireKey(r, view, path, "name", "siem");
  readSinkType(r, view, path, s);
  if (r.failed()) return;
  refuseForeignKeys(r, view, path, s);
  r.integer(view, "batch_events", 1, 10000, s.batchEvents, "a batch size");
  r.duration(view, "timeout_ms", 1, yaml_reading::kMaxTimeoutMs, s.timeout);
  std::string eventFormat;
  if (const Entry* f = r.string(view, "event_format", eventFormat)) {
    if (eventFormat == "ocsf") {
      s.ocsf = true;
    } else if (eventFormat != "warden") {
      r.fail(*f, path + ".event_format", "'" + eventFormat + "' is not warden or ocsf");
    }
  }
  switch (s.type) {
    case audit::SinkType::File:
      requireKey(r, view, path, "path", "/var/log/warden/events.jsonl");
      r.absolutePath(view, "path", s.path);
      break;
    case audit::SinkType::Syslog:
      requireKey(r, view, path, "address", "\"siem.example:6514\"");
      r.string(view, "address", s.address);
      r.boolean(view, "tls", s.tls);
      r.absolutePath(view, "ca_file", s.caFile, /*allowEmpty=*/true);
      r.absolutePath(view, "cert_file", s.certFile, /*allowEmpty=*/true);
      r.absolutePath(view, "key_file", s.keyFile, /*allowEmpty=*/true);
      r.string(view, "server_name", s.serverName);
      if (!r.failed() && s.certFile.empty() != s.keyFile.empty()) {
        r.fail(view.mark, path + ".cert_file", "cert_file and key_file go together");
      }
      break;
    case audit::SinkType::Http: {
      requireKey(r, view, path, "url", "https://logs.example:9200/_bulk");
      if (const Entry* u = r.string(view, "url", s.url);
          u && !s.url.starts_with("http://") && !s.url.starts_with("https://")) {
        r.fail(*u, path + ".url", "'" + s.url + "' does not start with http:// or https://");
      }
      std::string format;
      if (const Entry* f = r.string(view, "format", format)) {
        if (format == "elasticsearch") {
          s.format = audit::HttpFormat::Elasticsearch;
        } else if (format == "splunk") {
          s.format = audit::HttpFormat::Splunk;
        } else if (format == "loki") {
          s.format = audit::HttpFormat::Loki;
        } else {
          r.fail(*f, path + ".format", "'" + format + "' is not elasticsearch, splunk or loki");
        }
      }
      r.string(view, "index", s.index);
      const Entry* auth = r.absolutePath(view, "authorization_file", s.authorizationFile, /*allowEmpty=*/true);
      if (auth && !s.authorizationFile.empty() && s.url.starts_with("http://")) {
        // Anyone on the path could replay the credential: only this host's own receiver may go without TLS.
        if (auto url = audit::parseHttpUrl(s.url); url && !isLoopbackHost(url->host)) {
          r.fail(*auth, path + ".authorization_file",
                 "would be sent in clear over http:// to " + url->host +
                     ": use an https:// url, or a receiver on this host (localhost, 127.0.0.0/8, ::1)");
        }
      }
      r.absolutePath(view, "ca_file", s.caFile, /*allowEmpty=*/true);
      break;
    }
  }
}

void readSinks(Reader& r, const Entry* e, AuditConfig& a) {
  if (!e) return;
  a.sinks.clear();
  std::set<std::string> names;
  size_t index = 0;
  for (const auto& item : e->value) {
    const std::string path = "audit.sinks[" + std::to_string(index++) + "]";
    audit::SinkConfig sink;
    readSink(r, item, path, sink);
    if (r.failed()) return;
    if (!names.insert(sink.name).second) {
      r.fail(item.Mark(), path + ".name", "duplicate sink name " + sink.name + " (each names its own cursor)");
      return;
    }
    a.sinks.push_back(std::move(sink));
  }
}

}  // namespace

void readAuditSection(Reader& r, const Entry* e, AuditConfig& out) {
  if (!e) return;
  MapView m = r.map(e->value, e->keyNode.Mark(), "audit", {"spool", "sinks"});
  readSpool(r, m.find("spool"), out);
  readSinks(r, r.list(m, "sinks"), out);
}

void readMetricsSection(Reader& r, const Entry* e, MetricsConfig& out) {
  if (!e) return;
  MapView m = r.map(e->value, e->keyNode.Mark(), "metrics", {"enabled", "port"});
  r.boolean(m, "enabled", out.enabled);
  r.integer(m, "port", 1, 65535, out.port, "a port");
}

}  // namespace warden::app
