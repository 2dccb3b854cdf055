// One run at a time in a process: a run asked for while another is in
// progress answers ABORTED within the bounded wait instead of holding its
// worker past the caller's deadline (issue 23, item 9).
#include "runtime/leased_runner.h"

#include <future>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "store/redis.h"
#include "support/servers.h"

namespace ankommen {
namespace {

class SlowRunner final : public LeasedRunner {
 public:
  SlowRunner(RedisPool& redis, const KeySpace& keys)
      : LeasedRunner(redis, keys, "slow", "replica-a", {}, [] { return absl::OkStatus(); }) {}

  // A run that takes `takes`, telling `started` once it holds the run.
  absl::StatusOr<int> RunOnce(absl::Duration takes, absl::Notification* started = nullptr) {
    return WithLease<int>([&](int64_t fence) -> absl::StatusOr<int> {
      if (started != nullptr) started->Notify();
      absl::SleepFor(takes);
      return static_cast<int>(fence);
    });
  }

 private:
  absl::Status RunScheduled() override { return RunOnce(absl::ZeroDuration()).status(); }
};

TEST(LeasedRunnerTest, ARunAskedForDuringAnotherAnswersAbortedWithinTheBoundedWait) {
  testing::RedisServer redis;
  auto pool = RedisPool::Connect(redis.url(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  KeySpace keys("test");
  SlowRunner runner(**pool, keys);
  absl::Notification started;
  auto first = std::async(std::launch::async, [&] { return runner.RunOnce(absl::Seconds(6), &started); });
  started.WaitForNotification();
  const absl::Time asked = absl::Now();
  auto second = runner.RunOnce(absl::ZeroDuration());
  const absl::Duration waited = absl::Now() - asked;
  EXPECT_TRUE(absl::IsAborted(second.status())) << second.status();
  EXPECT_LT(waited, absl::Seconds(4)) << "answered, not held until the first run ended";
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(runner.RunOnce(absl::ZeroDuration()).ok()) << "once it is done, the next runs";
}

}  // namespace
}  // namespace ankommen
