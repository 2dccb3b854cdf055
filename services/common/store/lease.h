// One worker at a time over all replicas (an allocation or placement run): a
// lease in Redis with a fencing token. The token grows with every new
// holder; what a holder writes carries its token, and a record that has seen
// a newer token refuses an older one, so a holder that lost its lease during
// a long pause cannot write over its successor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/ids.h"

namespace ankommen {

class RedisPool;

class Lease {
 public:
  // name: what the lease guards, e.g. "allocation"; holder: this replica.
  Lease(RedisPool& redis, const KeySpace& keys, const std::string& name, std::string holder);

  // The fencing token when this holder has (or now takes) the lease, or
  // nullopt when another holds it. Renewing keeps the token.
  absl::StatusOr<std::optional<int64_t>> Acquire(absl::Duration ttl);
  absl::Status Release();

 private:
  RedisPool& redis_;
  std::string holder_key_;
  std::string fence_key_;
  std::string holder_;
};

}  // namespace ankommen
