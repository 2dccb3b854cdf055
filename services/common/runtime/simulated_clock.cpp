#include "runtime/simulated_clock.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "observability/log.h"

namespace ankommen {

absl::Time SimulatedClock::Now() const {
  auto reply = redis_.Command({"GET", kSimulatedClockKey});
  int64_t nanos = 0;
  if (reply.ok() && reply->type == RedisReply::Type::kString && absl::SimpleAtoi(reply->str, &nanos)) {
    return absl::FromUnixNanos(nanos);
  }
  if (!reply.ok() && !warned_.exchange(true)) {
    log::Warn("simulated_clock_unreadable", {{"error", reply.status().message()}});
  }
  return absl::Now();
}

absl::Status SimulatedClock::Set(RedisPool& redis, absl::Time now) {
  // Forward only: a second simulator, or a retried step, must not turn time back
  // under deadlines that were already set.
  static const LuaScript kSetForward{"clock_set_forward", R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if wanted < current then return redis.error_reply('simulated time cannot go backwards') end
redis.call('SET', KEYS[1], ARGV[1])
return 1
)lua"};
  auto reply = redis.Eval(kSetForward, {kSimulatedClockKey}, {absl::StrCat(absl::ToUnixNanos(now))});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

}  // namespace ankommen
