// Prometheus metrics: one registry and one /metrics endpoint per process.
// Names follow ankommen_<what>_<unit>; labels stay low-cardinality (service,
// method, code, subject, consumer) and never carry a person's id.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
}

namespace ankommen {

class Metrics {
 public:
  // A registry with no endpoint, for unit tests.
  Metrics();
  ~Metrics();
  // Binds host:port (port 0 picks a free one) and serves /metrics.
  static absl::StatusOr<std::unique_ptr<Metrics>> Serve(const std::string& bind_addr);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }
  int port() const;  // 0 without an endpoint

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> log_drops_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// Looks up a labelled child once and keeps it: Family::Add costs ~84 ns and
// takes a lock, so hot paths keep references (STACK.md).
template <typename T>
class MetricVec {
 public:
  MetricVec(prometheus::Family<T>& family, std::vector<std::string> label_names)
      : family_(family), label_names_(std::move(label_names)) {}

  template <typename... Args>
  T& With(const std::vector<std::string>& values, Args&&... args) {
    std::string key;
    for (const auto& v : values) key.append(v).push_back('\x1f');
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return *it->second;
    prometheus::Labels labels;
    for (size_t i = 0; i < label_names_.size() && i < values.size(); ++i) labels[label_names_[i]] = values[i];
    T& child = family_.Add(labels, std::forward<Args>(args)...);
    cache_.emplace(std::move(key), &child);
    return child;
  }

 private:
  prometheus::Family<T>& family_;
  std::vector<std::string> label_names_;
  std::mutex mutex_;
  std::map<std::string, T*> cache_;
};

// A gauge family published as a whole table each time (waiting lists,
// seats by area): label sets that vanished since read 0, not a stale value.
class GaugeTable {
 public:
  GaugeTable(prometheus::Family<prometheus::Gauge>& family, std::vector<std::string> label_names)
      : vec_(family, std::move(label_names)) {}

  void Publish(const std::map<std::vector<std::string>, double>& values) {
    std::lock_guard lock(mutex_);
    for (const auto& labels : seen_) {
      if (!values.contains(labels)) vec_.With(labels).Set(0);
    }
    for (const auto& [labels, value] : values) {
      vec_.With(labels).Set(value);
      seen_.insert(labels);
    }
  }

 private:
  MetricVec<prometheus::Gauge> vec_;
  std::mutex mutex_;
  std::set<std::vector<std::string>> seen_;
};

// A protobuf enum value as a metric label: "OVERRIDE_REASON_FAMILY_WISH"
// with prefix "OVERRIDE_REASON_" -> "family_wish"; the unspecified value -> "none".
std::string EnumLabel(const std::string& name, const std::string& prefix);

// Buckets for request latencies, in seconds: 0.5 ms to 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace ankommen
