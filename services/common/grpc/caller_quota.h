// A quota per caller: a token bucket for each caller's subject, so that one
// caller reading page after page of personal data is slowed down while the
// others are not. In memory, per replica (two replicas allow twice the rate);
// the audit log keeps every read regardless.
#pragma once

#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace ankommen {

class CallerQuota {
 public:
  // `per_minute` calls a minute on average, `burst` at once.
  CallerQuota(double per_minute, double burst);

  // Whether `caller` may make one more call at `now`; takes it if so.
  bool Take(const std::string& caller, absl::Time now);

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  std::mutex mu_;
  double per_second_;
  double burst_;
  absl::flat_hash_map<std::string, Bucket> buckets_;
};

}  // namespace ankommen
