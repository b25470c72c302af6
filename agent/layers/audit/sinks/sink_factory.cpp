#include "layers/audit/sinks/sink_factory.h"

#include "layers/audit/sinks/file_sink.h"
#include "layers/audit/sinks/http_sink.h"
#include "layers/audit/sinks/syslog_sink.h"

namespace warden::audit {
namespace {

template <class Concrete>
Result<std::unique_ptr<Sink>> asSink(Result<std::unique_ptr<Concrete>> made) {
  if (!made) return made.error();
  return std::unique_ptr<Sink>(std::move(made.value()));
}

}  // namespace

Result<std::unique_ptr<Sink>> makeSink(const SinkConfig& config) {
  switch (config.type) {
    case SinkType::File:
      return asSink(FileSink::open(config));
    case SinkType::Http:
      return asSink(HttpSink::create(config));
    case SinkType::Syslog:
      return asSink(SyslogSink::open(config));
  }
  return Error{"audit sink " + config.name + ": unknown sink type"};
}

}  // namespace warden::audit
