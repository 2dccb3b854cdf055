#include "grpc/caller_quota.h"

#include <gtest/gtest.h>

namespace ankommen {
namespace {

TEST(CallerQuotaTest, ABurstThenTheRateEachCallerApart) {
  CallerQuota quota(/*per_minute=*/60, /*burst=*/3);
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(quota.Take("office-riesa", t0)) << i;
  EXPECT_FALSE(quota.Take("office-riesa", t0)) << "the burst is spent";
  EXPECT_TRUE(quota.Take("office-meissen", t0)) << "another caller has its own";
  EXPECT_FALSE(quota.Take("office-riesa", t0 + absl::Milliseconds(500)));
  EXPECT_TRUE(quota.Take("office-riesa", t0 + absl::Seconds(1))) << "one a second comes back";
  EXPECT_FALSE(quota.Take("office-riesa", t0 + absl::Seconds(1)));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(quota.Take("office-riesa", t0 + absl::Minutes(10))) << "never above the burst";
  EXPECT_FALSE(quota.Take("office-riesa", t0 + absl::Minutes(10)));
}

}  // namespace
}  // namespace ankommen
