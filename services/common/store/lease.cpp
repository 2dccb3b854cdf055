#include "store/lease.h"

#include "absl/strings/str_cat.h"
#include "store/redis.h"

namespace ankommen {
namespace {

// Takes the lease if free (a new fencing token) or renews it if ours (the same token).
const LuaScript kAcquireScript{"lease_acquire", R"lua(
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return -1 end
if not holder then
  redis.call('INCR', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return tonumber(redis.call('GET', KEYS[2]))
)lua"};

const LuaScript kReleaseScript{"lease_release", R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
)lua"};

}  // namespace

Lease::Lease(RedisPool& redis, const KeySpace& keys, const std::string& name, std::string holder)
    : redis_(redis),
      // Both keys in one hash slot of their own.
      holder_key_(absl::StrCat("ankommen:", keys.service(), ":{", keys.service(), ":", name, "}:holder")),
      fence_key_(absl::StrCat("ankommen:", keys.service(), ":{", keys.service(), ":", name, "}:fence")),
      holder_(std::move(holder)) {}

absl::StatusOr<std::optional<int64_t>> Lease::Acquire(absl::Duration ttl) {
  auto reply = redis_.Eval(kAcquireScript, {holder_key_, fence_key_},
                           {holder_, std::to_string(absl::ToInt64Milliseconds(ttl))});
  if (!reply.ok()) return reply.status();
  if (reply->integer < 0) return std::optional<int64_t>();
  return std::optional<int64_t>(reply->integer);
}

absl::Status Lease::Release() {
  auto reply = redis_.Eval(kReleaseScript, {holder_key_}, {holder_});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

}  // namespace ankommen
