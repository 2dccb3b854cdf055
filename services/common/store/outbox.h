// State and its events together, or neither (the transactional outbox), and
// each command or event applied once (idempotency records and the inbox).
//
// A Commit is applied by one Lua script in one partition: it checks the
// idempotency record (a retry gets the first answer), checks the aggregate's
// version (optimistic concurrency: a concurrent change makes it CONFLICT and
// the caller recomputes), writes the new state and index entries, appends the
// events to the partition's outbox stream, and stores the answer under the
// idempotency key. The OutboxRelay publishes the outbox to JetStream with the
// event id as Nats-Msg-Id and only then deletes the entry, so a crash between
// the two publishes again and JetStream (or the consumer's inbox) drops the
// duplicate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/retention.h"
#include "absl/time/time.h"
#include "bus/bus.h"
#include "store/ids.h"

namespace ankommen {

class Metrics;
class RedisPool;
struct OutboxInstruments;

// A change to a key other than the aggregate, in the same partition.
struct IndexOp {
  enum class Kind { kSet, kSetExpiring, kDelete, kSortedAdd, kSortedRemove, kStreamAppend };
  Kind kind;
  std::string key;
  std::string member;  // the value for kSet, the member for sorted sets
  double score = 0;

  static IndexOp Set(std::string key, std::string value) { return {Kind::kSet, std::move(key), std::move(value)}; }
  // A value that goes by itself after `ttl` (the marker an erased record leaves).
  static IndexOp SetExpiring(std::string key, std::string value, absl::Duration ttl) {
    return {Kind::kSetExpiring, std::move(key), std::move(value), static_cast<double>(absl::ToInt64Seconds(ttl))};
  }
  static IndexOp Delete(std::string key) { return {Kind::kDelete, std::move(key), {}}; }
  static IndexOp SortedAdd(std::string key, std::string member, double score = 0) {
    return {Kind::kSortedAdd, std::move(key), std::move(member), score};
  }
  static IndexOp SortedRemove(std::string key, std::string member) {
    return {Kind::kSortedRemove, std::move(key), std::move(member)};
  }
  // An entry appended to a stream with the commit (an audit record): field,
  // value, field, value, ... (a unit separator in a value becomes a space).
  static IndexOp StreamAppend(std::string key, const std::vector<std::pair<std::string, std::string>>& fields);
};

struct Commit {
  int partition = 0;
  // A Redis hash with fields "v" (version) and "data" (the state).
  std::string aggregate_key;
  int64_t expected_version = 0;  // 0: the aggregate must not exist yet
  std::string state;
  // The idempotency record (KeySpace::Idempotency or KeySpace::Inbox). Empty
  // (with an empty fingerprint) for a change that is idempotent by its state,
  // guarded by the version alone.
  std::string idempotency_key;
  absl::Duration idempotency_ttl = absl::Hours(24 * 7);
  // Identifies the request, so a key reused for another request is refused.
  std::string fingerprint;
  // What a retry with the same key gets back.
  std::string response;
  std::vector<OutgoingEvent> events;
  std::vector<IndexOp> index_ops;
  // The aggregate is the marker an erased record leaves (its id and "erased",
  // nothing else): it expires after ErasureMarkerTtl (runtime/retention.h),
  // when no event that could bring the record back is kept any more.
  bool erased_marker = false;
};

struct PriorAnswer {
  std::string fingerprint;
  std::string response;
};

struct CommitResult {
  enum class Outcome { kCommitted, kReplayed, kConflict };
  Outcome outcome = Outcome::kCommitted;
  int64_t version = 0;        // the aggregate's version after the commit, or now on conflict
  PriorAnswer prior;          // kReplayed: the first answer under this key
};

// The aggregate as stored: its version and its state blob.
struct StoredAggregate {
  int64_t version = 0;
  std::string state;
};

class Outbox {
 public:
  Outbox(RedisPool& redis, KeySpace keys) : redis_(redis), keys_(std::move(keys)) {}

  absl::StatusOr<CommitResult> Apply(const Commit& commit);

  // Several commits in one round trip, each applied as Apply applies it — its
  // own idempotency record and version check, atomic by itself — in order;
  // one outcome per commit. The outer status: none, some or all may have been
  // applied (the connection was lost); the idempotency records tell on a retry.
  absl::StatusOr<std::vector<absl::StatusOr<CommitResult>>> ApplyEach(const std::vector<Commit>& commits);

  // The first answer given under an idempotency key, if any.
  absl::StatusOr<std::optional<PriorAnswer>> FindPrior(const std::string& idempotency_key);

  // The aggregate, or nullopt when it does not exist.
  absl::StatusOr<std::optional<StoredAggregate>> Load(const std::string& aggregate_key);

  const KeySpace& keys() const { return keys_; }
  RedisPool& redis() { return redis_; }

  // Tells the relay that a partition has something to publish.
  void set_wake(std::function<void(int partition)> wake) { wake_ = std::move(wake); }

 private:
  RedisPool& redis_;
  KeySpace keys_;
  std::function<void(int partition)> wake_;
};

// Publishes what is in the outbox streams of all partitions.
class OutboxRelay {
 public:
  OutboxRelay(RedisPool& redis, Bus& bus, KeySpace keys, Metrics* metrics);
  ~OutboxRelay();

  // Runs on a thread: drains the partitions it is woken for, and all of them
  // at least every poll interval (entries left by a crash, or by a replica
  // that stopped, are published after it).
  void Start(absl::Duration poll_interval = absl::Milliseconds(250));
  void Stop();
  // Something was committed to `partition`'s outbox.
  void Wake(int partition);

  // One pass over all partitions; returns how many events were published.
  absl::StatusOr<int> DrainOnce();

  // Events waiting in the outbox, over all partitions.
  absl::StatusOr<int64_t> Pending();

 private:
  // A set of partitions, one bit each.
  using Partitions = uint32_t;
  static_assert(kPartitions <= 32, "a partition set is 32 bits");
  static constexpr Partitions kEveryPartition = kPartitions == 32 ? ~Partitions{0} : (Partitions{1} << kPartitions) - 1;
  struct Pass {
    int published = 0;
    Partitions more = 0;  // read a full page: more may be waiting there
  };

  void Run(absl::Duration poll_interval);
  absl::StatusOr<Pass> Drain(Partitions partitions);

  RedisPool& redis_;
  Bus& bus_;
  KeySpace keys_;
  std::unique_ptr<OutboxInstruments> instruments_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Partitions due_ = 0;  // woken for, not read since
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  // One pass at a time (the thread's, or a caller's DrainOnce); each
  // partition's events waiting as of its last read, for the gauge.
  std::mutex drain_mutex_;
  std::vector<int64_t> pending_ = std::vector<int64_t>(kPartitions, 0);
};

}  // namespace ankommen
