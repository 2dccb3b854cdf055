// Where and as whom a process reaches Redis, from its settings: a service's
// platform and the operator's tools (ankommenctl restore) read them alike.
#pragma once

#include "absl/status/statusor.h"
#include "runtime/config.h"
#include "store/redis.h"

namespace ankommen {

// ANKOMMEN_REDIS_*: URL, user, password file, sentinels, address map,
// replicas to wait for.
absl::StatusOr<RedisEndpoint> RedisEndpointOf(const ServiceConfig& config);

}  // namespace ankommen
