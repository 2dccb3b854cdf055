#include "runtime/worker_pool.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ankommen {
namespace {

// Holds the pool's one thread until released, so that what is queued behind
// it stays queued while a test fills the lines.
class Gate {
 public:
  std::function<void()> Job() {
    return [this] {
      started_ = true;
      while (!released_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
  }
  void WaitStarted() const {
    while (!started_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Release() { released_ = true; }

 private:
  std::atomic<bool> started_{false}, released_{false};
};

TEST(WorkerPoolTest, RunsEveryJobBeforeStopping) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(4, 1000, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.Submit([&] { ++done; }));
    pool.Stop();
  }
  EXPECT_EQ(done.load(), 500);
}

TEST(WorkerPoolTest, AFullQueueRefusesWork) {
  WorkerPool pool(1, 2, 2);
  Gate gate;
  ASSERT_TRUE(pool.Submit(gate.Job()));
  gate.WaitStarted();  // the worker holds the first job: two more may wait
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));
  gate.Release();
  pool.Stop();
  EXPECT_FALSE(pool.Submit([] {}));
}

TEST(WorkerPoolTest, OneCallerHoldsNoMoreThanItsShareOfTheQueue) {
  WorkerPool pool(1, 8, 2);
  Gate gate;
  ASSERT_TRUE(pool.Submit(gate.Job(), "gate"));
  gate.WaitStarted();
  EXPECT_TRUE(pool.Submit([] {}, "flood"));
  EXPECT_TRUE(pool.Submit([] {}, "flood"));
  EXPECT_FALSE(pool.Submit([] {}, "flood")) << "a third job of one caller is past its share";
  EXPECT_TRUE(pool.Submit([] {}, "office")) << "another caller still finds room";
  gate.Release();
}

TEST(WorkerPoolTest, CallersAreServedInTurn) {
  WorkerPool pool(1, 100, 100);
  Gate gate;
  std::mutex mutex;
  std::vector<std::string> order;
  auto job = [&](std::string name) {
    return [&, name] {
      std::lock_guard lock(mutex);
      order.push_back(name);
    };
  };
  ASSERT_TRUE(pool.Submit(gate.Job(), "gate"));
  gate.WaitStarted();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(pool.Submit(job("a"), "flood"));
  ASSERT_TRUE(pool.Submit(job("b"), "office"));
  ASSERT_TRUE(pool.Submit(job("c"), "school"));
  gate.Release();
  pool.Stop();
  // The office and the school wait behind one of the flood's jobs, not four.
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "a", "a", "a"}));
}

}  // namespace
}  // namespace ankommen
