#include "review_metrics.h"

#include <string>

#include "observability/log.h"

namespace ankommen::registry {

ReviewMetrics::ReviewMetrics(Metrics& metrics, HouseholdStore& store, const Clock& clock)
    : store_(store),
      clock_(clock),
      held_(prometheus::BuildGauge()
                .Name("ankommen_registry_suspected_duplicates")
                .Help("Persons suspected to be duplicates, waiting for a decision")
                .Register(metrics.registry())
                .Add({})),
      oldest_(prometheus::BuildGauge()
                  .Name("ankommen_registry_oldest_suspected_duplicate_age_seconds")
                  .Help("How long the longest-held suspected duplicate has waited for a decision")
                  .Register(metrics.registry())
                  .Add({})),
      households_held_(prometheus::BuildCounter()
                           .Name("ankommen_registry_households_held_total")
                           .Help("Registrations held because a member looked like a person registered before")
                           .Register(metrics.registry())
                           .Add({})),
      crowded_keys_(prometheus::BuildCounter()
                        .Name("ankommen_registry_duplicate_keys_crowded_total")
                        .Help("Blocking keys found holding more persons than a duplicate check compares "
                              "(the latest filed were compared; a common name with a stand-in birth date)")
                        .Register(metrics.registry())
                        .Add({})),
      decisions_(prometheus::BuildCounter()
                     .Name("ankommen_registry_duplicate_decisions_total")
                     .Help("Suspected duplicates decided, by resolution (same_person, different_persons)")
                     .Register(metrics.registry()),
                 {"resolution"}),
      erased_(prometheus::BuildCounter()
                  .Name("ankommen_registry_retention_erased_total")
                  .Help("Erased by the retention job: persons of closed cases, and audit entries (kind)")
                  .Register(metrics.registry()),
              {"kind"}) {
  erased_.With({"person"});
  erased_.With({"audit"});
  // Both resolutions from the start, so a rate over them is never empty.
  decisions_.With({"same_person"});
  decisions_.With({"different_persons"});
}

ReviewMetrics::~ReviewMetrics() {
  if (loop_) loop_->Stop();
}

void ReviewMetrics::Start() {
  RunLoop::Options options;
  options.period = absl::Hours(24 * 365);  // nothing to run: the loop only refreshes
  loop_ = std::make_unique<RunLoop>(options, [] {}, [this] { Refresh(); });
  loop_->Start();
}

void ReviewMetrics::Count(const char* what) {
  const std::string kind = what;
  if (kind == "held") households_held_.Increment();
  else if (kind == "same_person" || kind == "different_persons") decisions_.With({what}).Increment();
  if (loop_) loop_->RefreshSoon();
}

void ReviewMetrics::CountCrowded(int keys) { crowded_keys_.Increment(keys); }

void ReviewMetrics::CountErased(const char* kind, int64_t count) {
  if (count > 0) erased_.With({kind}).Increment(static_cast<double>(count));
}

void ReviewMetrics::Refresh() {
  auto stats = store_.CountHeld();
  if (!stats.ok()) {
    log::Warn("review_gauges_failed", {{"error", stats.status().message()}});
    return;
  }
  held_.Set(static_cast<double>(stats->persons));
  double age = stats->oldest_found_at == 0
                   ? 0
                   : absl::ToDoubleSeconds(clock_.Now() - absl::FromUnixSeconds(stats->oldest_found_at));
  oldest_.Set(age < 0 ? 0 : age);
}

}  // namespace ankommen::registry
