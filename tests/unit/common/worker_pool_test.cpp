#include "runtime/worker_pool.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace ankommen {
namespace {

TEST(WorkerPoolTest, RunsEveryJobBeforeStopping) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(4, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { ++done; }));
    pool.Stop();
  }
  EXPECT_EQ(done.load(), 500);
}

TEST(WorkerPoolTest, AFullQueueRefusesWork) {
  WorkerPool pool(1, 2);
  std::atomic<bool> release{false};
  ASSERT_TRUE(pool.Submit([&] { while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1)); }));
  // The worker may not have taken the first job yet: allow for it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));
  release = true;
  pool.Stop();
  EXPECT_FALSE(pool.Submit([] {}));
}

}  // namespace
}  // namespace ankommen
