#include "app/audit_pipeline.h"

#include <set>

#include "core/log.h"
#include "layers/audit/sinks/ocsf_sink.h"
#include "layers/audit/sinks/sink_factory.h"

namespace warden::app {
namespace {

}  // namespace

// A sink's trouble is itself an audit event: the trail says when and why
// the central copy lagged. Submitting never blocks, so the runners' threads
// may call it; once the log is closing, there is nowhere to put it.
void AuditPipeline::submitSinkEvent(audit::EventType type, audit::SinkRecord record) {
  audit::Event event;
  event.type = type;
  event.id = audit::newEventId();
  event.sink = std::move(record);
  std::lock_guard lock(liveLogMutex_);
  if (liveLog_ != nullptr) {
    liveLog_->submit(std::move(event));
  } else if (!closed_) {
    early_.push_back(std::move(event));  // a runner failed before the log opened
  }
}

Result<std::unique_ptr<AuditPipeline>> AuditPipeline::start(const AuditConfig& config,
                                                            std::shared_ptr<const audit::CheckpointSigner> signer) {
  std::unique_ptr<AuditPipeline> pipeline(new AuditPipeline());
  // Every sink is built first: a wrong CA path stops the start before any
  // event is written.
  std::vector<std::unique_ptr<audit::Sink>> sinks;
  for (const auto& sinkConfig : config.sinks) {
    auto sink = audit::makeSink(sinkConfig);
    if (!sink) return sink.error().wrap("audit sink " + sinkConfig.name);
    if (sinkConfig.ocsf) {
      sinks.push_back(std::make_unique<audit::OcsfSink>(std::move(*sink)));
    } else {
      sinks.push_back(std::move(*sink));
    }
  }
  // The runners publish their cursors before the spool opens, so it keeps
  // every segment they still need.
  AuditPipeline* self = pipeline.get();
  for (size_t i = 0; i < sinks.size(); ++i) {
    const auto& sinkConfig = config.sinks[i];
    audit::SinkRunnerOptions options;
    options.batchEvents = sinkConfig.batchEvents;
    options.committed = pipeline->committed_;
    const std::string destination = sinks[i]->describe();
    options.onTrouble = [self, destination](const std::string& name, const std::string& message) {
      self->submitSinkEvent(audit::EventType::SinkTrouble, {name, destination, message, {}});
    };
    options.onRecovered = [self, destination](const std::string& name, std::chrono::milliseconds downFor) {
      self->submitSinkEvent(audit::EventType::SinkRecovered, {name, destination, "", downFor});
    };
    options.onLoss = [self, destination](const std::string& name, const std::string& message) {
      self->submitSinkEvent(audit::EventType::SinkTrouble, {name, destination, message, {}});
    };
    pipeline->runners_.push_back(std::make_unique<audit::SinkRunner>(sinkConfig.name, std::move(sinks[i]),
                                                                     config.spoolDir, *pipeline->cursors_, options));
  }
  // Cursors of sinks no longer configured would pin their segments forever.
  std::set<std::string> configured;
  for (const auto& sinkConfig : config.sinks) configured.insert(sinkConfig.name);
  for (const auto& [name, position] : pipeline->cursors_->all()) {
    if (!configured.count(name)) pipeline->cursors_->remove(name);
  }

  audit::SpoolOptions spool;
  spool.dir = config.spoolDir;
  spool.segmentBytes = config.segmentBytes;
  spool.segmentAge = config.segmentAge;
  spool.maxBytes = config.maxSpoolBytes;
  spool.blockWhenFull = config.onFull == AuditConfig::OnFull::Block;
  auto log = audit::EventLog::open(spool, std::move(signer), pipeline->cursors_, pipeline->committed_);
  if (!log) return log.error();
  pipeline->log_ = std::move(*log);
  {
    std::lock_guard lock(pipeline->liveLogMutex_);
    pipeline->liveLog_ = pipeline->log_.get();
    pipeline->liveLog_->submitBatch(pipeline->early_);
  }
  pipeline->log_->onAppended([self] {
    for (const auto& runner : self->runners_) runner->notify();
  });
  for (const auto& sinkConfig : config.sinks) {
    logger("audit")->info("sink {} forwards the spool to {}", sinkConfig.name,
                          self->runners_[&sinkConfig - config.sinks.data()]->status().describe);
  }
  return pipeline;
}

// The log drains first (its last lines and closing checkpoint written);
// then the sinks get their last chance to forward them, all at once, so
// the stop takes one sink's deadline, not the sum of them.
AuditPipeline::~AuditPipeline() {
  {
    std::lock_guard lock(liveLogMutex_);
    liveLog_ = nullptr;
    closed_ = true;
  }
  log_.reset();
  for (auto& runner : runners_) runner->beginStop();
  for (auto& runner : runners_) runner->stop();
  runners_.clear();
}

std::vector<audit::SinkStatus> AuditPipeline::sinks() const {
  std::vector<audit::SinkStatus> out;
  for (const auto& runner : runners_) out.push_back(runner->status());
  return out;
}

}  // namespace warden::app
