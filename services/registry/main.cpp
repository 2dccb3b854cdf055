// ankommen-registry: wiring only.
#include "runtime/config_flags.h"
#include "domain/facts.h"
#include "grpc/grpc_host.h"
#include "observability/log.h"
#include "runtime/platform.h"
#include "registry.h"
#include "registry_grpc.h"
#include "review_metrics.h"
#include "rules/land.h"
#include "runtime/run_loop.h"
#include "runtime/service_main.h"
#include "storage/household_store.h"
#include "bus/streams.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  BlockTerminationSignals();
  std::string duplicates = "hold";
  int keep_closed_cases_days = 730, keep_audit_days = 1825, list_pages_per_minute = 60;
  int duplicate_candidates_per_key = registry::RegistrySettings{}.duplicate_candidates_per_key;
  ServiceConfig config = LoadServiceConfig("registry", argc, argv, [&](CLI::App& app) {
    app.add_option("--keep-closed-cases-days", keep_closed_cases_days,
                   "days a closed case's personal data is kept before the retention job erases it "
                   "(ANKOMMEN_REGISTRY_KEEP_CLOSED_CASES_DAYS)")
        ->envname("ANKOMMEN_REGISTRY_KEEP_CLOSED_CASES_DAYS")
        ->check(CLI::Range(0, 36500));
    app.add_option("--keep-audit-days", keep_audit_days,
                   "days audit entries are kept (ANKOMMEN_REGISTRY_KEEP_AUDIT_DAYS)")
        ->envname("ANKOMMEN_REGISTRY_KEEP_AUDIT_DAYS")
        ->check(CLI::Range(1, 36500));
    app.add_option("--list-pages-per-minute", list_pages_per_minute,
                   "ListHouseholds pages one caller may read a minute (ANKOMMEN_REGISTRY_LIST_PAGES_PER_MINUTE)")
        ->envname("ANKOMMEN_REGISTRY_LIST_PAGES_PER_MINUTE")
        ->check(CLI::Range(1, 100000));
    app.add_option("--duplicates", duplicates,
                   "hold: a suspected duplicate's household waits for a person's decision before any other "
                   "service hears of it; flag: it goes on at once, the suspicion only listed "
                   "(ANKOMMEN_REGISTRY_DUPLICATES)")
        ->check(CLI::IsMember({"hold", "flag"}))
        ->envname("ANKOMMEN_REGISTRY_DUPLICATES");
    app.add_option("--duplicate-candidates-per-key", duplicate_candidates_per_key,
                   "persons a duplicate check compares under each blocking key, the latest filed first "
                   "(ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY)")
        ->envname("ANKOMMEN_REGISTRY_DUPLICATE_CANDIDATES_PER_KEY")
        ->check(CLI::Range(5, 100000));
  });

  auto platform = Platform::Start(config, {streams::Registry(), streams::Courses()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }

  const Clock& clock = (*platform)->clock();
  registry::HouseholdStore store((*platform)->outbox(), (*platform)->redis());
  registry::Registry registry(store, clock, DistrictTimeZone(),
                              {.hold_duplicates = duplicates == "hold",
                               .keep_closed_cases = absl::Hours(24 * keep_closed_cases_days),
                               .keep_audit = absl::Hours(24 * keep_audit_days),
                               .list_pages_per_minute = list_pages_per_minute,
                               .duplicate_candidates_per_key = duplicate_candidates_per_key,
                               .land = LandRulesOf(config)});
  // Blocking sets of an earlier release go where this one reads them, before
  // the first check; the daily retention run moves what an earlier replica
  // filed during a rolling update.
  auto place_blocking_keys = [&store] {
    auto moved = store.PlaceBlockingKeys();
    if (!moved.ok()) {
      log::Warn("blocking_keys_not_placed", {{"error", moved.status().message()}});
    } else if (*moved > 0) {
      log::Info("blocking_keys_placed", {{"sets", std::to_string(*moved)}});
    }
    return moved.ok();
  };
  if (!place_blocking_keys()) return 1;
  registry::ReviewMetrics review((*platform)->metrics(), store, clock);
  registry.set_on_review([&review](const char* what) { review.Count(what); });
  registry.set_on_retention([&review](const char* kind, int64_t n) { review.CountErased(kind, n); });
  registry.set_on_crowded([&review](int keys) { review.CountCrowded(keys); });
  review.Start();
  // The retention job, daily (and on RunRetention). One replica at a time is
  // not needed: each erasure is an idempotent command.
  RunLoop::Options daily;
  daily.period = absl::Hours(24);
  daily.refresh_period = absl::Hours(24);
  RunLoop retention(daily, [&registry, &place_blocking_keys] {
    place_blocking_keys();
    ankommen::registry::v1::RunRetentionResponse report;
    RequestContext rc;
    rc.actor = "retention-job";
    if (auto s = registry.RunRetention({}, report, rc); !s.ok()) {
      log::Warn("retention_failed", {{"error", s.message()}});
    }
  }, [] {});
  retention.Start();
  // What the date changes (a birthday, a school year), daily and at start
  // (and on RunAgeChanges). Idempotent, so replicas may both run it.
  RunLoop ages(daily, [&registry] {
    ankommen::registry::v1::RunAgeChangesResponse report;
    RequestContext rc;
    rc.actor = "age-changes-job";
    if (auto s = registry.RunAgeChanges({}, report, rc); !s.ok()) {
      log::Warn("age_changes_failed", {{"error", s.message()}});
    }
  }, [] {});
  ages.Start();
  // Levels reached in courses come back to the registry.
  Consumers consumers;
  if (!consumers.Add((*platform)->Subscribe(streams::kCourses, "registry-course-results", streams::kCourseCompleted,
                                            [&registry](const IncomingEvent& e) { return registry.ApplyCourseCompleted(e); }))) {
    return 1;
  }
  return ServeService(*platform, "ankommen.registry.v1.RegistryService", consumers,
                      [&](Edge& edge) { return std::make_unique<registry::RegistryGrpcService>(registry, edge); });
}

