// Layer 4 as the agent runs it: the spool every event is written to first,
// and the sinks that forward it, each from its own cursor.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "app/config.h"
#include "core/result.h"
#include "layers/audit/checkpoint_signer.h"
#include "layers/audit/event_log.h"
#include "layers/audit/sinks/sink_runner.h"
#include "layers/audit/spool_layout.h"

namespace warden::app {

class AuditPipeline {
 public:
  static Result<std::unique_ptr<AuditPipeline>> start(const AuditConfig& config,
                                                      std::shared_ptr<const audit::CheckpointSigner> signer);
  // The log drains (its last lines and closing checkpoint written) before
  // the sinks get their last chance to forward them.
  ~AuditPipeline();

  audit::EventLog& log() { return *log_; }
  std::vector<audit::SinkStatus> sinks() const;

 private:
  AuditPipeline() = default;
  void submitSinkEvent(audit::EventType type, audit::SinkRecord record);

  std::shared_ptr<audit::SpoolCursors> cursors_ = std::make_shared<audit::SpoolCursors>();
  std::shared_ptr<audit::SpoolCommitted> committed_ = std::make_shared<audit::SpoolCommitted>();
  std::unique_ptr<audit::EventLog> log_;
  std::vector<std::unique_ptr<audit::SinkRunner>> runners_;
  std::mutex liveLogMutex_;
  audit::EventLog* liveLog_ = nullptr;  // null before the log opens and once it closes
  std::vector<audit::Event> early_;      // sink events from before the log opened
  bool closed_ = false;
};

}  // namespace warden::app
