// The series of one family (one cell per set of label values), kept in
// shards so worker threads do not share a lock or a cache line: a thread
// always updates the same shard, under that shard's mutex, which only a
// scrape ever contends for. A scrape merges the shards.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metrics/value_limit.h"

namespace warden::metrics {

// The values of a series' labels, in the order of the family's label names.
using LabelValues = std::vector<std::string>;
using LabelView = std::span<const std::string_view>;

// Each thread's shard: threads are numbered as they first record a metric.
size_t currentShardSlot();

// Lets a shard be searched with the caller's views, without building strings.
struct LabelValuesHash {
  using is_transparent = void;
  template <class Sequence>
  size_t operator()(const Sequence& values) const {
    size_t seed = values.size();
    for (const auto& value : values) {
      seed ^= std::hash<std::string_view>{}(value) + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2);
    }
    return seed;
  }
};

struct LabelValuesEqual {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::string_view(a[i]) != std::string_view(b[i])) return false;
    }
    return true;
  }
};

template <class Cell>
class ShardedSeries {
 public:
  static constexpr size_t kShards = 16;

  // `limits[i]` bounds label i (null: unbounded); `empty` is a new cell.
  ShardedSeries(std::vector<std::unique_ptr<ValueLimit>> limits, Cell empty)
      : limits_(std::move(limits)), empty_(std::move(empty)) {}

  // Runs `update(cell)` on this thread's cell for `values`.
  template <class Update>
  void update(LabelView values, Update&& update) {
    Shard& shard = shards_[currentShardSlot() % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.series.find(values);
    if (it == shard.series.end()) {
      // First sight in this shard: bounded labels decide what is kept.
      LabelValues key;
      key.reserve(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        const bool bounded = i < limits_.size() && limits_[i];
        key.emplace_back(bounded ? limits_[i]->admit(values[i]) : values[i]);
      }
      it = shard.series.try_emplace(std::move(key), empty_).first;
    }
    update(it->second);
  }

  // Every series, summed over the shards with `add(total, cell)`, sorted by
  // label values.
  template <class Add>
  std::map<LabelValues, Cell> merged(Add&& add) const {
    std::map<LabelValues, Cell> total;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      for (const auto& [values, cell] : shard.series) {
        auto [it, fresh] = total.try_emplace(values, empty_);
        add(it->second, cell);
      }
    }
    return total;
  }

 private:
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::unordered_map<LabelValues, Cell, LabelValuesHash, LabelValuesEqual> series;
  };

  const std::vector<std::unique_ptr<ValueLimit>> limits_;
  const Cell empty_;
  std::array<Shard, kShards> shards_;
};

}  // namespace warden::metrics
