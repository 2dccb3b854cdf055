// The integration indicators as Prometheus gauges, for the Integration
// monitoring dashboard: the year to date (from 1 January of the latest event's
// year), for the whole district and each social area, beside the district's
// targets and their lights. Areas are few and not personal; persons are never
// a label.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "figures.h"
#include "stream_history.h"

namespace ankommen {
class Bus;
class Metrics;
}  // namespace ankommen

namespace ankommen::monitoring {

struct ExporterInstruments;

class IndicatorExporter {
 public:
  IndicatorExporter(Metrics& metrics, std::vector<Target> targets, std::map<std::string, int> social_workers,
                    AgeBands ages, absl::TimeZone zone);
  ~IndicatorExporter();
  // Reads what the streams hold since the last time and publishes the figures anew.
  absl::Status Refresh(Bus& bus);

 private:
  History history_;
  HistoryReader reader_;
  std::vector<Target> targets_;
  AgeBands ages_;
  std::unique_ptr<ExporterInstruments> instruments_;
};

}  // namespace ankommen::monitoring
