#include "runtime/run_loop.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace ankommen {
namespace {

// Polls for up to 2 s: the loop's thread decides when.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(RunLoopTest, RunsAtStartAndWhenWoken) {
  std::atomic<int> runs{0}, refreshes{0};
  RunLoop::Options options;
  options.debounce = absl::Milliseconds(5);
  RunLoop loop(options, [&] { ++runs; }, [&] { ++refreshes; });
  loop.Start();
  ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  loop.Wake();
  EXPECT_TRUE(Eventually([&] { return runs == 2; }));
  EXPECT_GE(refreshes, 1);
  loop.Stop();
}

// A simulated district: the simulator calls every run itself, so that a seed
// repeats; the loop still refreshes the gauges.
TEST(RunLoopTest, ALoopThatDoesNotRunOnItsOwnIgnoresWakeUpsAndStillRefreshes) {
  std::atomic<int> runs{0}, refreshes{0};
  RunLoop::Options options;
  options.debounce = absl::Milliseconds(5);
  options.period = absl::Milliseconds(20);
  options.runs_on_its_own = false;
  RunLoop loop(options, [&] { ++runs; }, [&] { ++refreshes; });
  loop.Start();
  ASSERT_TRUE(Eventually([&] { return refreshes >= 1; }));
  loop.Wake();
  loop.RefreshSoon();
  ASSERT_TRUE(Eventually([&] { return refreshes >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // five periods
  EXPECT_EQ(runs, 0);
  loop.Stop();
}

// A service asks for a refresh with every change: a burst is one refresh, and
// a change made while a refresh reads is not lost to it.
TEST(RunLoopTest, ABurstOfChangesIsOneRefreshAndAChangeDuringARefreshAsksForAnother) {
  std::atomic<int> refreshes{0};
  std::atomic<bool> reading{false}, release{false};
  RunLoop::Options options;
  options.debounce = absl::Milliseconds(20);
  options.refresh_period = absl::Hours(1);
  options.runs_on_its_own = false;
  RunLoop loop(options, [] {}, [&] {
    const int n = ++refreshes;
    if (n != 2) return;
    reading = true;  // the second refresh holds until the test has made its change
    while (!release) std::this_thread::yield();
  });
  loop.Start();
  ASSERT_TRUE(Eventually([&] { return refreshes == 1; }));  // at start
  for (int i = 0; i < 1000; ++i) loop.RefreshSoon();
  ASSERT_TRUE(Eventually([&] { return reading.load(); }));
  EXPECT_EQ(refreshes, 2);  // the burst: one refresh so far
  loop.RefreshSoon();       // a change the running refresh may have read past
  release = true;
  EXPECT_TRUE(Eventually([&] { return refreshes == 3; }));
  loop.Stop();
}

}  // namespace
}  // namespace ankommen
