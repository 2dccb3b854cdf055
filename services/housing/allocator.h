// Allocation runs: waiting households into available places through the
// placement engine's group solver — a household whole into one place with
// enough beds and m² for the standard, a flat for one household, flats
// before shared accommodation, the registered social area as a wish. A
// placement becomes an offer the authority confirms. One replica at a time
// (a fenced lease); each run first sweeps (households follow the
// occupancies).
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "ankommen/housing/v1/housing.pb.h"
#include "housing.h"
#include "lease.h"
#include "run_loop.h"

namespace ankommen::housing {

struct AllocatorOptions {
  RunLoop::Options loop;
  absl::Duration lease_ttl = absl::Seconds(30);
};

class Allocator {
 public:
  Allocator(Housing& housing, std::string holder, AllocatorOptions options = {});
  ~Allocator();

  void Start();
  void Stop();
  void Wake() { loop_.Wake(); }
  void RefreshGaugesSoon() { loop_.RefreshSoon(); }

  // One run now: ABORTED when another replica holds the lease.
  absl::StatusOr<v1::RunAllocationResponse> RunOnce();

 private:
  absl::Status Sweep();
  absl::Status Allocate(int64_t fence, v1::RunAllocationResponse& report);

  Housing& housing_;
  Lease lease_;
  AllocatorOptions options_;
  std::mutex run_mutex_;
  RunLoop loop_;
  std::atomic<bool> stopped_{false};
};

}  // namespace ankommen::housing
