// A sink whose receiver takes OCSF (audit.sinks[].event_format: ocsf): each
// line is turned into an OCSF API Activity event (ocsf.h) on its way to the
// sink it wraps.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/audit/ocsf.h"
#include "layers/audit/sinks/sink.h"

namespace warden::audit {

class OcsfSink final : public Sink {
 public:
  explicit OcsfSink(std::unique_ptr<Sink> inner) : inner_(std::move(inner)) {}

  Status deliver(std::span<const std::string_view> lines) override {
    converted_.clear();
    views_.clear();
    converted_.reserve(lines.size());
    for (std::string_view line : lines) converted_.push_back(toOcsf(line));
    views_.assign(converted_.begin(), converted_.end());
    return inner_->deliver(views_);
  }
  void reset() override { inner_->reset(); }
  std::string describe() const override { return inner_->describe() + " (OCSF)"; }

 private:
  std::unique_ptr<Sink> inner_;
  std::vector<std::string> converted_;
  std::vector<std::string_view> views_;
};

}  // namespace warden::audit
