// What planners and the registry's admins watch of the duplicate review (how
// many persons are held and for how long, how suspicions were decided) and of
// retention (what it erased).
#pragma once

#include <memory>

#include "runtime/clock.h"
#include "observability/metrics.h"
#include "runtime/run_loop.h"
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
  // What a retention run erased: "person" or "audit" (entries).
  void CountErased(const char* kind, int64_t count);
  // Blocking keys a duplicate check found crowded (only their latest filed compared).
  void CountCrowded(int keys);

 private:
  void Refresh();

  HouseholdStore& store_;
  const Clock& clock_;
  prometheus::Gauge& held_;
  prometheus::Gauge& oldest_;
  prometheus::Counter& households_held_;
  prometheus::Counter& crowded_keys_;
  MetricVec<prometheus::Counter> decisions_;
  MetricVec<prometheus::Counter> erased_;
  std::unique_ptr<RunLoop> loop_;
};

}  // namespace ankommen::registry
