// A background loop for work that runs when there is reason to and on a
// schedule: an allocation or placement `run` when woken (a burst of wake-ups
// within `debounce` is one run) and at least every `period`; a `refresh` of
// the gauges after every run, soon after RefreshSoon, and every
// `refresh_period`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"

namespace ankommen {

class RunLoop {
 public:
  struct Options {
    absl::Duration period = absl::Minutes(5);
    absl::Duration debounce = absl::Milliseconds(300);
    absl::Duration refresh_period = absl::Seconds(15);
    // False: no run of its own, neither scheduled nor woken; runs happen only
    // when called (a simulated district, whose simulator is the schedule, so
    // that a seed repeats). The gauges still refresh.
    bool runs_on_its_own = true;
  };

  RunLoop(Options options, std::function<void()> run, std::function<void()> refresh)
      : options_(options), run_(std::move(run)), refresh_(std::move(refresh)) {}
  ~RunLoop() { Stop(); }

  void Start();
  void Stop();
  void Wake();
  void RefreshSoon();

 private:
  void Loop();

  Options options_;
  std::function<void()> run_;
  std::function<void()> refresh_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool refresh_due_ = false;    // asked for; the loop has not scheduled it yet
  bool refresh_asked_ = false;  // asked for; the refresh has not begun yet
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ankommen
