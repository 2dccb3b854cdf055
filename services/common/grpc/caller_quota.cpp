#include "grpc/caller_quota.h"

#include <algorithm>

namespace ankommen {
namespace {

// Buckets kept before the full ones are forgotten (a full bucket is the same as none).
constexpr size_t kMaxCallers = 10'000;

}  // namespace

CallerQuota::CallerQuota(double per_minute, double burst) : per_second_(per_minute / 60.0), burst_(burst) {}

bool CallerQuota::Take(const std::string& caller, absl::Time now) {
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxCallers && !buckets_.contains(caller)) {
    absl::erase_if(buckets_, [&](const auto& entry) {
      const Bucket& b = entry.second;
      return b.tokens + absl::ToDoubleSeconds(now - b.last) * per_second_ >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, absl::ToDoubleSeconds(now - b.last)) * per_second_);
    b.last = std::max(b.last, now);
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace ankommen
