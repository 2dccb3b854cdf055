#include "observability/metrics.h"

#include <cctype>

#include <prometheus/exposer.h>

#include "absl/strings/str_cat.h"
#include "observability/build_info.h"
#include "observability/log.h"

namespace ankommen {
namespace {

// The logger's count of lines it dropped, read at each scrape (the logger
// sits below the metrics and knows nothing of them).
class LogDrops : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily family;
    family.name = "ankommen_log_lines_dropped_total";
    family.help = "Log lines dropped because the log pipe did not take them fast enough";
    family.type = prometheus::MetricType::Counter;
    family.metric.emplace_back().counter.value = static_cast<double>(log::DroppedLines());
    return {family};
  }
};

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  // Which release answers here: a dashboard joins it to the other series.
  prometheus::BuildGauge()
      .Name("ankommen_build_info")
      .Help("The release this process runs; always 1")
      .Register(*registry_)
      .Add({{"version", Version()}})
      .Set(1);
}
Metrics::~Metrics() = default;

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Serve(const std::string& bind_addr) {
  auto metrics = std::make_unique<Metrics>();
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(bind_addr);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics endpoint ", bind_addr, ": ", e.what()));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->log_drops_ = std::make_shared<LogDrops>();
  metrics->exposer_->RegisterCollectable(metrics->log_drops_);
  return metrics;
}

int Metrics::port() const {
  if (exposer_ == nullptr) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

std::string EnumLabel(const std::string& name, const std::string& prefix) {
  std::string label = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  if (label == "UNSPECIFIED") return "none";
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return label;
}

}  // namespace ankommen
