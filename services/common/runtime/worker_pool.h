// A fixed set of threads with a bounded queue. gRPC callback handlers hand
// their blocking work (Redis round trips) to it instead of blocking gRPC's own
// threads; a full queue sheds load rather than letting latency grow without end.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ankommen {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is not run.
  bool Submit(std::function<void()> job);

  // Runs what is queued, then joins the threads.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ankommen
