// Placement runs: waiting children and free DaZ seats and Kita places through
// the placement engine — siblings of one school type as one group, compulsory
// schooling first, within each school type's distance limit. Runs when woken
// (new children, new seats, a move), on a schedule and on RunPlacement, on the
// one replica holding the lease; every school and Kita it writes remembers
// the lease's fencing token. Each run first sweeps (children follow the
// schools' and Kitas' lists), and afterwards reports capacity gaps that
// changed as events.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ankommen/schools/v1/schools.pb.h"
#include "runtime/leased_runner.h"
#include "schools.h"

namespace ankommen::schools {

using PlacerOptions = LeasedRunnerOptions;

class Placer final : public LeasedRunner {
 public:
  Placer(Schools& schools, std::string holder, PlacerOptions options = {});
  ~Placer() override { Stop(); }

  // One run now: ABORTED when another replica holds the lease.
  absl::StatusOr<v1::RunPlacementResponse> RunOnce();

 private:
  absl::Status RunScheduled() override { return RunOnce().status(); }
  absl::Status Sweep();
  // Pupils imported with a school leave their DaZ seats over the DaZ time (school_rules.h).
  absl::Status LeaveImported(int64_t fence);
  absl::Status Place(int64_t fence, v1::RunPlacementResponse& report);
  absl::Status ReportGaps();

  Schools& schools_;
};

}  // namespace ankommen::schools
