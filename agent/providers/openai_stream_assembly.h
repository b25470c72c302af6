// Joining streamed deltas into Response::text and Response::toolCalls when
// pieces of several outputs (choices, output items, content parts) arrive
// interleaved: each piece is filed under its key and read back in key order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/conversation.h"
#include "providers/text_budget.h"

namespace warden::providers::openai {

// (choice, 0) for chat; (output item, content part) for responses.
using StreamKey = std::pair<uint64_t, uint64_t>;

class OrderedText {
 public:
  // `out` receives the joined text (Response::text), which `budget` bounds;
  // both must outlive this.
  OrderedText(std::string& out, TextBudget& budget) : out_(&out), budget_(&budget) {}

  void append(StreamKey key, std::string_view piece);
  // A "done" event's full text replaces the deltas seen for that key.
  void replace(StreamKey key, std::string_view text);
  // Brings `out` up to date; cheap when nothing is out of order.
  void sync() const;

 private:
  size_t sizeOf(StreamKey key) const;

  std::string* out_;
  TextBudget* budget_;
  // A single key (the usual stream) is appended to `out` directly; only
  // once a second key shows up are the pieces kept apart.
  bool split_ = false;
  StreamKey only_{};
  bool any_ = false;
  std::map<StreamKey, std::string> pieces_;
  mutable bool stale_ = false;
};

class ToolCallAssembly {
 public:
  explicit ToolCallAssembly(std::vector<ToolCall>& out) : out_(&out) {}
  // The call filed under `key`, created in key order if new.
  ToolCall& at(StreamKey key);

 private:
  std::vector<ToolCall>* out_;
  std::vector<StreamKey> keys_;  // parallel to *out_, sorted
};

}  // namespace warden::providers::openai
