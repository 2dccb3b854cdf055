#include "exporter.h"

#include <set>

#include "absl/time/clock.h"
#include "bus/bus.h"
#include "observability/metrics.h"

namespace ankommen::monitoring {

struct ExporterInstruments {
  explicit ExporterInstruments(prometheus::Registry& r)
      : value(prometheus::BuildGauge()
                  .Name("ankommen_indicator_value")
                  .Help("An integration indicator, year to date: shares in percent, days, counts, persons per worker "
                        "(docs/indicators.md)")
                  .Register(r)),
        target(prometheus::BuildGauge()
                   .Name("ankommen_indicator_target")
                   .Help("The district's target for the indicator whose time frame holds the latest day (targets.csv)")
                   .Register(r)),
        status(prometheus::BuildGauge()
                   .Name("ankommen_indicator_status")
                   .Help("The light: 0 green, 1 amber, 2 red (a figure with a target and closed windows)")
                   .Register(r)),
        events(prometheus::BuildGauge()
                   .Name("ankommen_indicators_events")
                   .Help("Events the indicators were computed from")
                   .Register(r)
                   .Add({})),
        latest(prometheus::BuildGauge()
                   .Name("ankommen_indicators_latest_event_day_seconds")
                   .Help("The latest day an event was read for (midnight, unix seconds): how current the figures are")
                   .Register(r)
                   .Add({})),
        refresh(prometheus::BuildGauge()
                    .Name("ankommen_indicators_refresh_seconds")
                    .Help("How long the last reading and computing took")
                    .Register(r)
                    .Add({})),
        value_table(value, {"indicator", "social_area"}),
        target_table(target, {"indicator", "social_area"}),
        status_table(status, {"indicator", "social_area"}) {}

  prometheus::Family<prometheus::Gauge>& value;
  prometheus::Family<prometheus::Gauge>& target;
  prometheus::Family<prometheus::Gauge>& status;
  prometheus::Gauge& events;
  prometheus::Gauge& latest;
  prometheus::Gauge& refresh;
  GaugeTable value_table, target_table, status_table;
};

IndicatorExporter::IndicatorExporter(Metrics& metrics, std::vector<Target> targets,
                                     std::map<std::string, int> social_workers, AgeBands ages, absl::TimeZone zone)
    : reader_(history_, zone),
      targets_(std::move(targets)),
      ages_(ages),
      instruments_(std::make_unique<ExporterInstruments>(metrics.registry())) {
  history_.social_workers = std::move(social_workers);
}

IndicatorExporter::~IndicatorExporter() = default;

absl::Status IndicatorExporter::Refresh(Bus& bus) {
  const absl::Time began = absl::Now();
  auto read = reader_.ReadNew(bus);
  if (!read.ok()) return read.status();
  if (read->events == 0) return absl::OkStatus();  // nothing to count yet
  const Day as_of = history_.last_event;
  const Scope year{Day(as_of.year(), 1, 1), as_of, "", as_of};
  const HistoryIndex index(history_);
  std::set<std::string> areas;
  for (const auto& [id, h] : history_.households) {
    for (const auto& [day, area] : h.social_area.changes()) areas.insert(area);
  }
  std::map<std::vector<std::string>, double> values, targets, lights;
  auto publish = [&](const std::string& area) {
    Scope scope = year;
    scope.social_area = area;
    const std::string label = area.empty() ? "district" : area;
    for (const ReportRow& row : BuildReport(index, scope, ages_, targets_, /*trend=*/false)) {
      const std::vector<std::string> key = {std::string(row.indicator->id), label};
      if (row.figure.value) values[key] = *row.figure.value;
      if (row.target) targets[key] = row.target->target;
      if (row.light) lights[key] = static_cast<double>(*row.light);
    }
  };
  publish("");
  for (const std::string& area : areas) publish(area);
  instruments_->value_table.Publish(values);
  instruments_->target_table.Publish(targets);
  instruments_->status_table.Publish(lights);
  instruments_->events.Set(static_cast<double>(read->events));
  instruments_->latest.Set(static_cast<double>(absl::ToUnixSeconds(absl::FromCivil(as_of, absl::UTCTimeZone()))));
  instruments_->refresh.Set(absl::ToDoubleSeconds(absl::Now() - began));
  return absl::OkStatus();
}

}  // namespace ankommen::monitoring
