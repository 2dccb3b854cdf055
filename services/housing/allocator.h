// Allocation runs: waiting households into available places through the
// placement engine's group solver — a household whole into one place with
// enough beds and m² for the standard, a flat for one household, flats
// before shared accommodation, the registered social area as a wish. A
// placement becomes an offer the authority confirms. One replica at a time
// (a fenced lease); each run first sweeps (households follow the
// occupancies).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "housing.h"
#include "runtime/leased_runner.h"

namespace ankommen::housing {

using AllocatorOptions = LeasedRunnerOptions;

class Allocator final : public LeasedRunner {
 public:
  Allocator(Housing& housing, std::string holder, AllocatorOptions options = {});
  ~Allocator() override { Stop(); }

  // One run now: ABORTED when another replica holds the lease.
  absl::StatusOr<v1::RunAllocationResponse> RunOnce();

 private:
  absl::Status RunScheduled() override { return RunOnce().status(); }
  absl::Status Sweep();
  absl::Status Allocate(int64_t fence, v1::RunAllocationResponse& report);

  Housing& housing_;
};

}  // namespace ankommen::housing
