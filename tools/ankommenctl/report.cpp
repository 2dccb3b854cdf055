#include "report.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "bus/bus.h"
#include "figures.h"
#include "report/report.h"
#include "rules/land.h"
#include "runtime/config.h"
#include "stream_history.h"
#include "targets_file.h"
#include "text/field_checks.h"

namespace ankommen::ctl {

using monitoring::Day;

int WriteReport(const ReportOptions& o) {
  Day from, to;
  if (!ParseIsoDate(o.from, from) || !ParseIsoDate(o.to, to)) {
    std::cerr << "error: --from and --to are dates, YYYY-MM-DD\n";
    return 2;
  }
  if (to < from) {
    std::cerr << "error: the period ends (--to " << o.to << ") before it starts (--from " << o.from << ")\n";
    return 2;
  }
  std::map<std::string, double> workers;
  if (!ParseNamedNumbers(o.social_workers, 0, 1000, workers)) {
    std::cerr << "error: --social-workers: expected area=count pairs separated by commas\n";
    return 2;
  }
  // The targets are checked before anything is read or written.
  std::vector<monitoring::Target> targets;
  if (!o.targets_file.empty()) {
    auto read = monitoring::ReadTargetsFile(o.targets_file);
    if (!read.ok()) {
      std::cerr << read.status().message() << "\n";
      return 2;
    }
    targets = std::move(*read);
  }

  ServiceConfig config = DefaultConfig("monitoring");
  if (auto s = ApplyEnvironment(config, std::getenv); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  auto land = LandRulesFor(config.land, config.school_cutoff);
  if (!land.ok()) {
    std::cerr << "error: " << land.status().message() << "\n";
    return 2;
  }
  auto bus = Bus::Connect(config, "ankommenctl-report", nullptr);
  if (!bus.ok()) {
    std::cerr << "error: NATS at " << config.nats_url << ": " << bus.status().message() << "\n";
    return 1;
  }
  monitoring::History history;
  auto read = monitoring::ReadHistory(**bus, DistrictTimeZone(), history);
  if (!read.ok()) {
    std::cerr << "error: reading the events: " << read.status().message() << "\n";
    return 1;
  }
  for (const auto& [area, n] : workers) history.social_workers[area] = static_cast<int>(n);
  if (!o.area.empty()) {
    std::set<std::string> areas;
    for (const auto& [id, h] : history.households) {
      for (const auto& [day, area] : h.social_area.changes()) areas.insert(area);
    }
    if (!areas.count(o.area)) {
      std::cerr << "error: --area: no household has lived in \"" << o.area << "\"\n";
      return 2;
    }
  }
  if (read->events == 0) {
    std::cerr << "error: the streams hold no events yet: nothing to report\n";
    return 1;
  }
  const monitoring::Scope scope{from, to, o.area, history.last_event};
  const monitoring::AgeBands ages{1, 6, land->school_obliged_until};
  const auto rows = monitoring::BuildReport(history, scope, ages, targets);
  const monitoring::ReportHeader header{o.district.empty() ? std::string("Landkreis") : o.district, scope,
                                        read->first_event, read->events};
  auto pdf = monitoring::WriteReportFiles(header, rows, o.out_dir);
  if (!pdf.ok()) {
    std::cerr << "error: " << pdf.status().message() << "\n";
    return 1;
  }
  if (o.json) {
    std::cout << monitoring::ReportJson(header, rows).dump(2) << "\n";
    return 0;
  }
  std::printf("%-38s %14s %14s  %s\n", "indicator", "figure", "target", "status");
  for (const auto& row : rows) {
    const std::string value = row.figure.value ? monitoring::FormatValue(*row.indicator, *row.figure.value) : "-";
    const std::string target = row.target ? monitoring::FormatValue(*row.indicator, row.target->target) : "-";
    std::printf("%-38s %14s %14s  %s%s\n", std::string(row.indicator->id).c_str(), value.c_str(), target.c_str(),
                row.light ? monitoring::LightName(*row.light) : "-",
                row.figure.complete ? "" : " (preliminary: windows still open)");
  }
  std::printf("%lld events from %s; written: %s (and .json, .csv)\n", read->events,
              absl::FormatCivilTime(read->first_event).c_str(), pdf->c_str());
  return 0;
}

}  // namespace ankommen::ctl
