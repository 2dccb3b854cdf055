#include "channels/channel.h"

#include <algorithm>
#include <thread>

namespace ankommen::notifications {

void RateLimiter::Acquire() {
  for (;;) {
    absl::Duration wait;
    {
      std::lock_guard lock(mutex_);
      const absl::Time now = absl::Now();
      tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
      last_ = now;
      if (tokens_ >= 1) {
        tokens_ -= 1;
        return;
      }
      wait = absl::Seconds((1 - tokens_) / rate_);
    }
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(wait));
  }
}

}  // namespace ankommen::notifications
