// The clock of a simulated district. The simulator (tools/ankommen-sim) is the
// one writer of the Redis key `ankommen:clock`; every service replica reads it
// on each call, so all services agree on "now" while simulated weeks pass in
// minutes — commands, event handling, deadlines and allocation runs alike.
// A service uses it only when started with ANKOMMEN_CLOCK=simulated; in
// production every service runs on the system clock.
#pragma once

#include <atomic>

#include "absl/status/status.h"
#include "runtime/clock.h"
#include "store/redis.h"

namespace ankommen {

inline constexpr char kSimulatedClockKey[] = "ankommen:clock";

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(RedisPool& redis) : redis_(redis) {}

  // The simulated time; the system clock until the simulator has set one, or
  // while Redis cannot be read (logged once).
  absl::Time Now() const override;

  // Moves the simulated time (the simulator's call). Never backwards.
  static absl::Status Set(RedisPool& redis, absl::Time now);

 private:
  RedisPool& redis_;
  mutable std::atomic<bool> warned_{false};
};

}  // namespace ankommen
