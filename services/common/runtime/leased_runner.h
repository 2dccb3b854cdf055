// A job that runs on one replica at a time — an allocation or placement run:
// when woken, on a schedule and on demand, under a fenced lease (lease.h),
// one run at a time in this process too, with the gauges refreshed after
// every run (run_loop.h). A service's allocator derives from it and writes
// only with the fencing token its run was given.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/lease.h"
#include "observability/log.h"
#include "runtime/run_loop.h"

namespace ankommen {

class Metrics;
struct ScheduledRunCounters;

struct LeasedRunnerOptions {
  RunLoop::Options loop;
  absl::Duration lease_ttl = absl::Seconds(30);
  // Counts the scheduled runs: ankommen_scheduled_runs_total{job,outcome} —
  // done, elsewhere (another replica holds the lease, or a run was under
  // way here) or failed. None: not counted.
  Metrics* metrics = nullptr;
};

class LeasedRunner {
 public:
  // name: the lease's name and the log's; refresh: the gauges.
  LeasedRunner(RedisPool& redis, const KeySpace& keys, std::string name, std::string holder,
               LeasedRunnerOptions options, std::function<absl::Status()> refresh);
  virtual ~LeasedRunner();

  void Start() { loop_.Start(); }
  // Once: a derived destructor may come after main has closed Redis.
  void Stop() {
    if (stopped_.exchange(true)) return;
    loop_.Stop();
    (void)lease_.Release();
  }
  void Wake() { loop_.Wake(); }
  void RefreshGaugesSoon() { loop_.RefreshSoon(); }

 protected:
  // Runs body(fence) holding the lease; ABORTED when another replica holds it.
  // One run at a time here too: a scheduled run waits for the one in
  // progress; a run asked for (an RPC) waits kOnDemandWait at most and then
  // answers ABORTED, so that a caller is told to retry instead of holding a
  // worker past its deadline.
  template <typename Report, typename Body>
  absl::StatusOr<Report> WithLease(Body body) {
    std::unique_lock run(run_mutex_, std::defer_lock);
    if (scheduled_) {
      run.lock();
    } else if (!run.try_lock_for(kOnDemandWait)) {
      return absl::AbortedError(name_ + " is running on this replica; retry when it is done");
    }
    auto fence = lease_.Acquire(options_.lease_ttl);
    if (!fence.ok()) return fence.status();
    if (!fence->has_value()) return absl::AbortedError(name_ + " is running on another replica");
    return body(**fence);
  }

  // A scheduled or woken run; its errors are logged.
  virtual absl::Status RunScheduled() = 0;

 private:
  void Scheduled();

  static constexpr std::chrono::seconds kOnDemandWait{2};
  static inline thread_local bool scheduled_ = false;  // this thread is the loop's, in a scheduled run

  std::string name_;
  Lease lease_;
  LeasedRunnerOptions options_;
  std::unique_ptr<ScheduledRunCounters> counters_;
  std::timed_mutex run_mutex_;
  RunLoop loop_;
  std::atomic<bool> stopped_{false};
};

}  // namespace ankommen
