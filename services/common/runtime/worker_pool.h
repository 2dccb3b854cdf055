// A fixed set of threads with a bounded queue. gRPC callback handlers hand
// their blocking work (Redis round trips) to it instead of blocking gRPC's own
// threads; a full queue sheds load rather than letting latency grow without end.
//
// The queue is fair between callers: each caller (a token's subject) has its
// own line and may hold at most a share of the queue, and the threads take
// one job from each line in turn — so one caller flooding the service slows
// itself, not everybody else.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ankommen {

class WorkerPool {
 public:
  // max_queued jobs wait at most, of which max_queued_per_caller for one caller.
  WorkerPool(int threads, size_t max_queued, size_t max_queued_per_caller);
  // One caller may hold a quarter of the queue (at least one job).
  WorkerPool(int threads, size_t max_queued) : WorkerPool(threads, max_queued, std::max<size_t>(1, max_queued / 4)) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue, or the caller's share of it, is full or the pool is
  // stopping; the job is not run.
  bool Submit(std::function<void()> job, const std::string& caller = "");

  // Runs what is queued, then joins the threads.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<std::string, std::deque<std::function<void()>>> lines_;  // per caller, never empty
  std::deque<std::string> turn_;  // callers with a job waiting, in the order they are served
  size_t queued_ = 0;
  size_t max_queued_;
  size_t max_queued_per_caller_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ankommen
