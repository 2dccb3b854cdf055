// Shared by the files of the housing service's use cases (housing.cpp,
// accommodations.cpp, households.cpp, registry_events.cpp): its metric
// instruments. Not for other services.
#pragma once

#include "housing.h"
#include "observability/metrics.h"

namespace ankommen::housing {

struct HousingInstruments {
  explicit HousingInstruments(prometheus::Registry& r)
      : waiting(prometheus::BuildGauge()
                    .Name("ankommen_housing_households_waiting")
                    .Help("Households waiting for a place")
                    .Register(r)),
        wait_days(prometheus::BuildHistogram()
                      .Name("ankommen_housing_wait_days")
                      .Help("Days from registration to moving in")
                      .Register(r)),
        beds(prometheus::BuildGauge()
                 .Name("ankommen_housing_beds")
                 .Help("Beds by kind (shared, flat) and state (free, used)")
                 .Register(r)),
        violations(prometheus::BuildGauge()
                       .Name("ankommen_housing_standard_violations")
                       .Help("Places holding more people than the m² standard allows")
                       .Register(r)),
        per_worker(prometheus::BuildGauge()
                       .Name("ankommen_housing_persons_per_social_worker")
                       .Help("Refugee social work's caseload: persons drawing AsylbLG benefits in shared "
                             "accommodation per social worker")
                       .Register(r)),
        caseload_target(prometheus::BuildGauge()
                            .Name("ankommen_housing_caseload_target")
                            .Help("The district's target caseload per social worker (ANKOMMEN_HOUSING_CASELOAD_TARGET)")
                            .Register(r)),
        offers_waiting(prometheus::BuildGauge()
                           .Name("ankommen_housing_offers_waiting")
                           .Help("Offers waiting for the housing authority's confirmation")
                           .Register(r)),
        oldest_offer(prometheus::BuildGauge()
                         .Name("ankommen_housing_oldest_offer_age_seconds")
                         .Help("How long the oldest offer has waited for the housing authority")
                         .Register(r)),
        decisions(prometheus::BuildCounter()
                      .Name("ankommen_housing_placement_decisions_total")
                      .Help("The housing authority's decisions: confirmed, declined or manual, with the override reason")
                      .Register(r)),
        waiting_table(waiting, {"social_area"}),
        beds_table(beds, {"kind", "social_area", "state"}),
        violations_table(violations, {"social_area"}),
        per_worker_table(per_worker, {"social_area"}),
        offers_waiting_gauge(offers_waiting.Add({})),
        oldest_offer_gauge(oldest_offer.Add({})),
        decisions_vec(decisions, {"decision", "reason"}),
        wait_days_histogram(wait_days.Add({}, prometheus::Histogram::BucketBoundaries{1, 3, 7, 14, 30, 60, 90, 180, 365})) {}

  prometheus::Family<prometheus::Gauge>& waiting;
  prometheus::Family<prometheus::Histogram>& wait_days;
  prometheus::Family<prometheus::Gauge>& beds;
  prometheus::Family<prometheus::Gauge>& violations;
  prometheus::Family<prometheus::Gauge>& per_worker;
  prometheus::Family<prometheus::Gauge>& caseload_target;
  prometheus::Family<prometheus::Gauge>& offers_waiting;
  prometheus::Family<prometheus::Gauge>& oldest_offer;
  prometheus::Family<prometheus::Counter>& decisions;
  GaugeTable waiting_table;
  GaugeTable beds_table;
  GaugeTable violations_table;
  GaugeTable per_worker_table;
  prometheus::Gauge& offers_waiting_gauge;
  prometheus::Gauge& oldest_offer_gauge;
  MetricVec<prometheus::Counter> decisions_vec;
  prometheus::Histogram& wait_days_histogram;
};

}  // namespace ankommen::housing
