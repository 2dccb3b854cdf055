#include "runtime/leased_runner.h"

#include "observability/metrics.h"

namespace ankommen {

struct ScheduledRunCounters {
  ScheduledRunCounters(Metrics& metrics, const std::string& job)
      : family(prometheus::BuildCounter()
                   .Name("ankommen_scheduled_runs_total")
                   .Help("Scheduled or woken allocation and placement runs, by how they ended")
                   .Register(metrics.registry())),
        done(family.Add({{"job", job}, {"outcome", "done"}})),
        elsewhere(family.Add({{"job", job}, {"outcome", "elsewhere"}})),
        failed(family.Add({{"job", job}, {"outcome", "failed"}})) {}
  prometheus::Family<prometheus::Counter>& family;
  prometheus::Counter& done;
  prometheus::Counter& elsewhere;  // another replica held the lease
  prometheus::Counter& failed;
};

LeasedRunner::LeasedRunner(RedisPool& redis, const KeySpace& keys, std::string name, std::string holder,
                           LeasedRunnerOptions options, std::function<absl::Status()> refresh)
    : name_(std::move(name)),
      lease_(redis, keys, name_, std::move(holder)),
      options_(options),
      counters_(options.metrics != nullptr ? std::make_unique<ScheduledRunCounters>(*options.metrics, name_) : nullptr),
      loop_(options.loop, [this] { Scheduled(); },
            [this, refresh = std::move(refresh)] {
              if (auto s = refresh(); !s.ok()) log::Warn("gauges_failed", {{"error", s.message()}});
            }) {}

LeasedRunner::~LeasedRunner() { Stop(); }

void LeasedRunner::Scheduled() {
  scheduled_ = true;
  auto s = RunScheduled();
  scheduled_ = false;
  if (!s.ok() && !absl::IsAborted(s)) log::Warn("run_failed", {{"job", name_}, {"error", s.message()}});
  if (counters_ != nullptr) {
    (s.ok() ? counters_->done : absl::IsAborted(s) ? counters_->elsewhere : counters_->failed).Increment();
  }
}

}  // namespace ankommen
