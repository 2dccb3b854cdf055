// How the casework service keeps its state in Redis. Each record lives in the
// partition its id names (a household's in the registry's partition):
//   ankommen:casework:{casework:pN}:worker:<id>          hash {v, data = WorkerRecord}
//   ankommen:casework:{casework:pN}:workers              sorted set of the workers not removed
//   ankommen:casework:{casework:pN}:household:<id>       hash {v, data = HouseholdRecord}
//   ankommen:casework:{casework:pN}:caseload:<worker>    sorted set, in each household's partition: the
//                                                         worker's households there, by persons
//   ankommen:casework:{casework:pN}:unassigned           sorted set of open households without a worker, by persons
//   ankommen:casework:{casework:pN}:tasks                sorted set of open tasks "<household>/<task>", by due
//   ankommen:casework:{casework:pN}:erased:<person>      a person erased or merged away: expires after every
//                                                         event that could name them again (runtime/retention.h)
// A worker's caseload is the sum over the partitions' caseload sets: one
// pipeline, and written with the household's own commit.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ankommen/casework/v1/state.pb.h"
#include "store/aggregates.h"
#include "store/outbox.h"

namespace ankommen::casework {

inline constexpr char kWorkerIdPrefix[] = "wrk";
inline constexpr char kPersonIdPrefix[] = "p";      // the registry's
inline constexpr char kHouseholdIdPrefix[] = "hh";  // the registry's

using LoadedWorker = Loaded<v1::WorkerRecord>;
using LoadedHousehold = Loaded<v1::HouseholdRecord>;

// What a worker looks after now.
struct Load {
  int persons = 0;
  int households = 0;
};

class CaseworkStore {
 public:
  CaseworkStore(Outbox& outbox, RedisPool& redis) : outbox_(outbox), redis_(redis) {}

  Outbox& outbox() { return outbox_; }
  RedisPool& redis() { return redis_; }
  const KeySpace& keys() const { return outbox_.keys(); }

  std::string WorkerKey(const std::string& id) const;
  std::string HouseholdKey(const std::string& id) const;

  absl::StatusOr<std::optional<LoadedWorker>> LoadWorker(const std::string& id);
  absl::StatusOr<std::optional<LoadedHousehold>> LoadHousehold(const std::string& id);
  absl::StatusOr<std::vector<LoadedWorker>> LoadWorkers();  // not removed
  absl::StatusOr<std::vector<LoadedHousehold>> LoadUnassigned();
  // Open tasks as "<household>/<task>", by due date.
  absl::StatusOr<std::vector<std::string>> OpenTasks();

  // The loads of `worker_ids`, by one pipeline.
  absl::StatusOr<std::map<std::string, Load>> Loads(const std::vector<std::string>& worker_ids);
  // The households a worker looks after.
  absl::StatusOr<std::vector<std::string>> HouseholdsOf(const std::string& worker_id);

  // Marks a person erased (before their household is changed, so a retry finds the mark);
  // which of `person_ids` are marked.
  absl::Status MarkErased(const std::string& person_id);
  absl::StatusOr<std::set<std::string>> Erased(const std::vector<std::string>& person_ids);

  IndexOp WorkersIndex(const v1::WorkerRecord& record) const;
  // Keep caseload, unassigned and tasks true to the household, given what it was.
  std::vector<IndexOp> HouseholdIndexes(const v1::HouseholdRecord& before, const v1::HouseholdRecord& after) const;

 private:
  // ZRANGE … WITHSCORES of each per-partition sorted set named, in every partition, by one pipeline:
  // the replies name by name, partition by partition.
  absl::StatusOr<std::vector<RedisReply>> RangeEveryPartition(const std::vector<std::string>& names);

  Outbox& outbox_;
  RedisPool& redis_;
};

}  // namespace ankommen::casework
