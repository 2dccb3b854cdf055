#include "storage/casework_store.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "store/ids.h"
#include "runtime/retention.h"
#include "store/redis.h"

namespace ankommen::casework {

std::string CaseworkStore::WorkerKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "worker:" + id);
}
std::string CaseworkStore::HouseholdKey(const std::string& id) const {
  return keys().Key(PartitionOfId(id), "household:" + id);
}

absl::StatusOr<std::optional<LoadedWorker>> CaseworkStore::LoadWorker(const std::string& id) {
  return LoadAggregate<v1::WorkerRecord>(outbox_, WorkerKey(id));
}
absl::StatusOr<std::optional<LoadedHousehold>> CaseworkStore::LoadHousehold(const std::string& id) {
  return LoadAggregate<v1::HouseholdRecord>(outbox_, HouseholdKey(id));
}

absl::StatusOr<std::vector<LoadedWorker>> CaseworkStore::LoadWorkers() {
  return LoadIndexed<v1::WorkerRecord>(redis_, keys(), "workers", [this](const std::string& id) { return WorkerKey(id); });
}

absl::StatusOr<std::vector<LoadedHousehold>> CaseworkStore::LoadUnassigned() {
  return LoadIndexed<v1::HouseholdRecord>(redis_, keys(), "unassigned",
                                          [this](const std::string& id) { return HouseholdKey(id); });
}

absl::StatusOr<std::vector<std::string>> CaseworkStore::OpenTasks() {
  auto replies = RangeEveryPartition({"tasks"});
  if (!replies.ok()) return replies.status();
  std::vector<std::pair<double, std::string>> due;
  for (const auto& reply : *replies) {
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      double score = 0;
      if (!absl::SimpleAtod(reply.elements[i + 1].str, &score)) score = 0;
      due.emplace_back(score, reply.elements[i].str);
    }
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> out;
  for (auto& [score, member] : due) out.push_back(std::move(member));
  return out;
}

absl::StatusOr<std::vector<RedisReply>> CaseworkStore::RangeEveryPartition(const std::vector<std::string>& names) {
  std::vector<std::vector<std::string>> ranges;
  for (const auto& name : names) {
    for (int p = 0; p < kPartitions; ++p) ranges.push_back({"ZRANGE", keys().Key(p, name), "0", "-1", "WITHSCORES"});
  }
  return redis_.Pipeline(ranges);
}

absl::StatusOr<std::map<std::string, Load>> CaseworkStore::Loads(const std::vector<std::string>& worker_ids) {
  std::map<std::string, Load> out;
  if (worker_ids.empty()) return out;
  std::vector<std::string> names;
  for (const auto& id : worker_ids) names.push_back("caseload:" + id);
  auto replies = RangeEveryPartition(names);
  if (!replies.ok()) return replies.status();
  for (size_t w = 0; w < worker_ids.size(); ++w) {
    Load& load = out[worker_ids[w]];
    for (int p = 0; p < kPartitions; ++p) {
      const auto& reply = (*replies)[w * kPartitions + p];
      for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        double persons = 0;
        if (!absl::SimpleAtod(reply.elements[i + 1].str, &persons)) {
          return absl::DataLossError(absl::StrCat("caseload of ", worker_ids[w], " is stored unreadably"));
        }
        load.persons += static_cast<int>(std::lround(persons));
        ++load.households;
      }
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> CaseworkStore::HouseholdsOf(const std::string& worker_id) {
  auto replies = RangeEveryPartition({"caseload:" + worker_id});
  if (!replies.ok()) return replies.status();
  std::vector<std::string> out;
  for (const auto& reply : *replies) {
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) out.push_back(reply.elements[i].str);
  }
  return out;
}

namespace {

std::string ErasedKey(const KeySpace& keys, const std::string& person_id) {
  return keys.Key(PartitionOfId(person_id), "erased:" + person_id);
}

}  // namespace

absl::Status CaseworkStore::MarkErased(const std::string& person_id) {
  return redis_
      .Command({"SET", ErasedKey(keys(), person_id), "1", "EX", absl::StrCat(absl::ToInt64Seconds(ErasureMarkerTtl()))})
      .status();
}

absl::StatusOr<std::set<std::string>> CaseworkStore::Erased(const std::vector<std::string>& person_ids) {
  std::set<std::string> out;
  if (person_ids.empty()) return out;
  std::vector<std::vector<std::string>> exists;
  for (const auto& id : person_ids) exists.push_back({"EXISTS", ErasedKey(keys(), id)});
  auto replies = redis_.Pipeline(exists);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < person_ids.size(); ++i) {
    if ((*replies)[i].integer > 0) out.insert(person_ids[i]);
  }
  return out;
}

IndexOp CaseworkStore::WorkersIndex(const v1::WorkerRecord& record) const {
  const std::string& id = record.worker().worker_id();
  const std::string key = keys().Key(PartitionOfId(id), "workers");
  return record.removed() ? IndexOp::SortedRemove(key, id) : IndexOp::SortedAdd(key, id);
}

std::vector<IndexOp> CaseworkStore::HouseholdIndexes(const v1::HouseholdRecord& before,
                                                     const v1::HouseholdRecord& after) const {
  const std::string& id = after.household_id();
  const int p = PartitionOfId(id);
  const double persons = after.members_size();
  const bool open = after.registered() && !after.closed() && after.members_size() > 0;
  std::vector<IndexOp> ops;
  if (!before.worker_id().empty() && (before.worker_id() != after.worker_id() || !open)) {
    ops.push_back(IndexOp::SortedRemove(keys().Key(p, "caseload:" + before.worker_id()), id));
  }
  if (open && !after.worker_id().empty()) {
    ops.push_back(IndexOp::SortedAdd(keys().Key(p, "caseload:" + after.worker_id()), id, persons));
  }
  const std::string unassigned = keys().Key(p, "unassigned");
  ops.push_back(open && after.worker_id().empty() ? IndexOp::SortedAdd(unassigned, id, persons)
                                                  : IndexOp::SortedRemove(unassigned, id));
  const std::string tasks = keys().Key(p, "tasks");
  for (const auto& t : after.tasks()) {
    const std::string member = absl::StrCat(id, "/", t.task_id());
    ops.push_back(t.status() == v1::TASK_STATUS_OPEN ? IndexOp::SortedAdd(tasks, member, static_cast<double>(t.due().seconds()))
                                                     : IndexOp::SortedRemove(tasks, member));
  }
  return ops;
}

}  // namespace ankommen::casework
