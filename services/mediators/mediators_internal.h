// Shared by the files of the mediators service's use cases: its metric
// instruments. Labels are languages, social areas and qualifications: never a
// mediator or a person.
#pragma once

#include "mediators.h"
#include "observability/metrics.h"

namespace ankommen::mediators {

struct MediatorsInstruments {
  explicit MediatorsInstruments(prometheus::Registry& r)
      : open(prometheus::BuildGauge()
                 .Name("ankommen_mediators_requests_open")
                 .Help("Requests for a mediator not yet booked (open or proposed), by language")
                 .Register(r)),
        unfilled(prometheus::BuildGauge()
                     .Name("ankommen_mediators_requests_unfilled")
                     .Help("Requests no mediator could take, by language and social area: the gap a district recruits for")
                     .Register(r)),
        unfilled_runs(prometheus::BuildCounter()
                          .Name("ankommen_mediators_unfilled_total")
                          .Help("Matching runs that left a request unfilled, by language, area and reason")
                          .Register(r)),
        oldest_urgent(prometheus::BuildGauge()
                          .Name("ankommen_mediators_oldest_urgent_unbooked_seconds")
                          .Help("How long the oldest urgent request has waited without a booked mediator")
                          .Register(r)),
        urgent_target(prometheus::BuildGauge()
                          .Name("ankommen_mediators_urgent_target_seconds")
                          .Help("The district's target for booking an urgent request (ANKOMMEN_MEDIATORS_URGENT_TARGET_HOURS)")
                          .Register(r)),
        hours_to_fill(prometheus::BuildHistogram()
                          .Name("ankommen_mediators_hours_to_fill")
                          .Help("Hours from an office's request to a booked mediator")
                          .Register(r)),
        booked(prometheus::BuildCounter()
                   .Name("ankommen_mediators_booked_total")
                   .Help("Bookings by the mediator's qualification (volunteer, trained, certified)")
                   .Register(r)),
        utilisation(prometheus::BuildGauge()
                        .Name("ankommen_mediators_mediators_by_utilisation")
                        .Help("Mediators of the pool by the share of their monthly hours booked this month (band)")
                        .Register(r)),
        open_table(open, {"language"}),
        unfilled_table(unfilled, {"language", "social_area"}),
        utilisation_table(utilisation, {"band"}),
        unfilled_vec(unfilled_runs, {"language", "social_area", "reason"}),
        booked_vec(booked, {"qualification"}),
        oldest_urgent_gauge(oldest_urgent.Add({})),
        hours_to_fill_histogram(
            hours_to_fill.Add({}, prometheus::Histogram::BucketBoundaries{1, 4, 8, 24, 48, 72, 168, 336})) {}

  prometheus::Family<prometheus::Gauge>& open;
  prometheus::Family<prometheus::Gauge>& unfilled;
  prometheus::Family<prometheus::Counter>& unfilled_runs;
  prometheus::Family<prometheus::Gauge>& oldest_urgent;
  prometheus::Family<prometheus::Gauge>& urgent_target;
  prometheus::Family<prometheus::Histogram>& hours_to_fill;
  prometheus::Family<prometheus::Counter>& booked;
  prometheus::Family<prometheus::Gauge>& utilisation;
  GaugeTable open_table;
  GaugeTable unfilled_table;
  GaugeTable utilisation_table;
  MetricVec<prometheus::Counter> unfilled_vec;
  MetricVec<prometheus::Counter> booked_vec;
  prometheus::Gauge& oldest_urgent_gauge;
  prometheus::Histogram& hours_to_fill_histogram;
};

}  // namespace ankommen::mediators
