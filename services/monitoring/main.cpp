// ankommen-indicators: the integration indicators, year to date, for the
// district and each social area, as Prometheus gauges beside the district's
// targets (the Integration monitoring dashboard). It reads the services'
// events as the read-only NATS user `monitoring` and keeps nothing of its own:
// the streams are its source, and a restart reads them again.
//
//   ankommen-indicators [--targets targets.csv] [--social-workers "Riesa=2,…"] [--period 300]
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/time/clock.h"
#include "bus/bus.h"
#include "exporter.h"
#include "targets_file.h"
#include "observability/build_info.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "rules/land.h"
#include "runtime/config.h"

using namespace ankommen;

int main(int argc, char** argv) {
  CLI::App app{"ankommen-indicators: the integration indicators as metrics, beside the district's targets"};
  app.set_version_flag("--version", std::string("ankommen-indicators ") + Version());
  std::string targets_file, workers_text;
  int period_seconds = 300;
  app.add_option("--targets", targets_file, "the district's targets (docs/indicators.md) (ANKOMMEN_INDICATORS_TARGETS)")
      ->envname("ANKOMMEN_INDICATORS_TARGETS");
  app.add_option("--social-workers", workers_text,
                 "refugee social workers per area, e.g. \"Riesa=2,Meißen=3\" (ANKOMMEN_HOUSING_SOCIAL_WORKERS)")
      ->envname("ANKOMMEN_HOUSING_SOCIAL_WORKERS");
  app.add_option("--period", period_seconds, "seconds between readings (ANKOMMEN_INDICATORS_PERIOD)")
      ->envname("ANKOMMEN_INDICATORS_PERIOD")
      ->check(CLI::Range(1, 86400));
  CLI11_PARSE(app, argc, argv);

  ServiceConfig config = DefaultConfig("indicators");
  if (auto s = ApplyEnvironment(config, std::getenv); !s.ok()) {
    std::cerr << "ankommen-indicators: " << s.message() << "\n";
    return 2;
  }
  auto land = LandRulesFor(config.land, config.school_cutoff);
  if (!land.ok()) {
    std::cerr << "ankommen-indicators: " << land.status().message() << "\n";
    return 2;
  }
  std::map<std::string, double> workers;
  if (!ParseNamedNumbers(workers_text, 0, 1000, workers)) {
    std::cerr << "ankommen-indicators: --social-workers: expected area=count pairs separated by commas\n";
    return 2;
  }
  std::vector<monitoring::Target> targets;
  if (!targets_file.empty()) {
    auto read = monitoring::ReadTargetsFile(targets_file);
    if (!read.ok()) {
      std::cerr << read.status().message() << "\n";
      return 2;
    }
    targets = std::move(*read);
  }

  // SIGTERM and SIGINT are waited for between readings, not delivered to a thread.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto metrics = Metrics::Serve(config.metrics_addr);
  if (!metrics.ok()) {
    log::Error("start_failed", {{"error", metrics.status().message()}});
    return 1;
  }
  auto bus = Bus::Connect(config, "ankommen-indicators", metrics->get());
  if (!bus.ok()) {
    log::Error("start_failed", {{"error", bus.status().message()}});
    return 1;
  }
  std::map<std::string, int> social_workers;
  for (const auto& [area, n] : workers) social_workers[area] = static_cast<int>(n);
  monitoring::IndicatorExporter exporter(**metrics, std::move(targets), std::move(social_workers),
                                         {1, 6, land->school_obliged_until}, DistrictTimeZone());
  log::Info("started", {{"metrics", config.metrics_addr}, {"period_seconds", std::to_string(period_seconds)}});
  for (;;) {
    if (auto s = exporter.Refresh(**bus); !s.ok()) {
      // The figures stay as last published; the next reading tries again.
      log::Warn("indicators_not_refreshed", {{"error", s.message()}});
    }
    const timespec wait{period_seconds, 0};
    const int sig = sigtimedwait(&stop, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      log::Info("shutting_down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      return 0;
    }
  }
}
