#include "runtime/run_loop.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace ankommen {

void RunLoop::Start() { thread_ = std::thread([this] { Loop(); }); }

void RunLoop::Stop() {
  if (stopping_.exchange(true)) return;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RunLoop::Wake() {
  if (!options_.runs_on_its_own) return;
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void RunLoop::RefreshSoon() {
  {
    std::lock_guard lock(mutex_);
    // A refresh already asked for and not yet begun will see this change too:
    // the loop's thread is not woken again (a service calls this for every
    // change it makes, hundreds a second).
    if (refresh_asked_) return;
    refresh_asked_ = true;
    refresh_due_ = true;
  }
  wake_.notify_all();
}

void RunLoop::Loop() {
  absl::Time next_run = options_.runs_on_its_own ? absl::Now() : absl::InfiniteFuture();
  absl::Time next_refresh = absl::Now();
  while (!stopping_) {
    {
      std::unique_lock lock(mutex_);
      const absl::Time until = std::min(next_run, next_refresh);
      // Capped: a wait of "forever" would overflow the steady clock's arithmetic.
      const absl::Duration wait = std::clamp(until - absl::Now(), absl::ZeroDuration(), absl::Hours(1));
      wake_.wait_for(lock, absl::ToChronoNanoseconds(wait),
                     [&] { return woken_ || refresh_due_ || stopping_.load(); });
      if (stopping_) break;
      if (refresh_due_) {
        refresh_due_ = false;
        next_refresh = std::min(next_refresh, absl::Now() + options_.debounce);
      }
      if (woken_) {
        // Let a burst of wake-ups (a batch of new requests) settle into one run.
        lock.unlock();
        std::this_thread::sleep_for(absl::ToChronoNanoseconds(options_.debounce));
        lock.lock();
        woken_ = false;
        next_run = absl::Now();
      }
    }
    if (absl::Now() >= next_run) {
      run_();
      next_run = options_.runs_on_its_own ? absl::Now() + options_.period : absl::InfiniteFuture();
      next_refresh = absl::Now();  // show the run's effect at once
    }
    if (absl::Now() >= next_refresh) {
      {
        // Before the refresh reads: a change after this point asks again.
        std::lock_guard lock(mutex_);
        refresh_asked_ = false;
      }
      refresh_();
      next_refresh = absl::Now() + options_.refresh_period;
    }
  }
}

}  // namespace ankommen
