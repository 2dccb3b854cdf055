// What planners and the registry's admins watch of the duplicate review:
// how many persons are held and for how long, and how suspicions were decided.
#pragma once

#include <memory>

#include "clock.h"
#include "metrics.h"
#include "run_loop.h"
#include "storage/household_store.h"

namespace ankommen::registry {

class ReviewMetrics {
 public:
  ReviewMetrics(Metrics& metrics, HouseholdStore& store, const Clock& clock);
  ~ReviewMetrics();

  // Starts refreshing the gauges (every 15 s, and soon after each Count).
  void Start();
  // A household held ("held"), or a decision ("same_person", "different_persons").
  void Count(const char* what);

 private:
  void Refresh();

  HouseholdStore& store_;
  const Clock& clock_;
  prometheus::Gauge& held_;
  prometheus::Gauge& oldest_;
  prometheus::Counter& households_held_;
  MetricVec<prometheus::Counter> decisions_;
  std::unique_ptr<RunLoop> loop_;
};

}  // namespace ankommen::registry
