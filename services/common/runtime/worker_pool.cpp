#include "runtime/worker_pool.h"

namespace ankommen {

WorkerPool::WorkerPool(int threads, size_t max_queued, size_t max_queued_per_caller)
    : max_queued_(max_queued), max_queued_per_caller_(max_queued_per_caller) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(std::function<void()> job, const std::string& caller) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queued_ >= max_queued_) return false;
    auto [line, is_new] = lines_.try_emplace(caller);
    if (line->second.size() >= max_queued_per_caller_) return false;
    line->second.push_back(std::move(job));
    if (is_new) turn_.push_back(caller);
    ++queued_;
  }
  ready_.notify_one();
  return true;
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || queued_ > 0; });
      if (queued_ == 0) return;  // stopping, and nothing left to do
      // The caller whose turn it is gives one job and, if it has more, goes
      // to the back of the turn.
      std::string caller = std::move(turn_.front());
      turn_.pop_front();
      auto line = lines_.find(caller);
      job = std::move(line->second.front());
      line->second.pop_front();
      --queued_;
      if (line->second.empty()) {
        lines_.erase(line);
      } else {
        turn_.push_back(std::move(caller));
      }
    }
    job();
  }
}

}  // namespace ankommen
