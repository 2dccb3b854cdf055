// The tasks a hand-over brings (a Jobcenter contact, the new worker's
// introduction): listed open by due date, a worker's or all, and done once.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ankommen/casework/v1/events.pb.h"
#include "bus/streams.h"
#include "casework.h"
#include "grpc/status.h"
#include "store/command.h"
#include "store/ids.h"
#include "text/field_checks.h"

namespace ankommen::casework {

absl::Status Casework::ListTasks(const v1::ListTasksRequest& request, v1::ListTasksResponse& response,
                                 const RequestContext&) {
  if (!request.worker_id().empty() && !IsValidId(request.worker_id(), kWorkerIdPrefix)) {
    return InvalidFields({{"worker_id", "must be empty (every task) or a worker id (wrk_…)"}});
  }
  auto open = store_.OpenTasks();
  if (!open.ok()) return open.status();
  std::vector<std::string> households;
  std::vector<std::pair<std::string, std::string>> wanted;  // household, task
  for (const std::string& member : *open) {
    std::pair<std::string, std::string> parts = absl::StrSplit(member, absl::MaxSplits('/', 1));
    households.push_back(parts.first);
    wanted.push_back(std::move(parts));
  }
  auto loaded = LoadAggregates<v1::HouseholdRecord>(store_.redis(), households,
                                                    [this](const std::string& id) { return store_.HouseholdKey(id); });
  if (!loaded.ok()) return loaded.status();
  std::map<std::string, const v1::HouseholdRecord*> by_id;
  for (const auto& h : *loaded) by_id[h.record.household_id()] = &h.record;
  for (const auto& [household_id, task_id] : wanted) {
    const auto it = by_id.find(household_id);
    if (it == by_id.end()) continue;
    for (const auto& t : it->second->tasks()) {
      if (t.task_id() != task_id || t.status() != v1::TASK_STATUS_OPEN) continue;
      if (!request.worker_id().empty() && t.worker_id() != request.worker_id()) continue;
      *response.add_tasks() = t;
    }
  }
  return absl::OkStatus();
}

absl::Status Casework::CompleteTask(const v1::CompleteTaskRequest& request, v1::CompleteTaskResponse& response,
                                    const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.household_id(), kHouseholdIdPrefix)) {
    v.Add("household_id", "must be a registry household id (hh_…)");
  }
  if (request.task_id().empty()) v.Add("task_id", "is required");
  if (!v.empty()) return v.ToStatus();
  const std::string& id = request.household_id();
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(id), "complete_task", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadHousehold(id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("household ", id, " has no case here"));
    const v1::HouseholdRecord before = (*loaded)->record;
    v1::HouseholdRecord after = before;
    v1::Task* task = nullptr;
    for (auto& t : *after.mutable_tasks()) {
      if (t.task_id() == request.task_id()) task = &t;
    }
    if (task == nullptr) return absl::NotFoundError(absl::StrCat("task ", request.task_id(), " not found"));
    if (task->status() != v1::TASK_STATUS_OPEN) {
      return absl::FailedPreconditionError(absl::StrCat("task ", request.task_id(), " is no longer open"));
    }
    task->set_status(v1::TASK_STATUS_DONE);
    task->mutable_done_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    v1::TaskDone e;
    *e.mutable_meta() = Meta(rc.correlation_id);
    e.set_household_id(id);
    e.set_task_id(task->task_id());
    e.set_kind(task->kind());
    e.set_worker_id(task->worker_id());
    Decision d;
    d.commit.aggregate_key = store_.HouseholdKey(id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = after.SerializeAsString();
    d.commit.index_ops = store_.HouseholdIndexes(before, after);
    d.commit.events = {ToOutgoing(streams::kTaskDone, e)};
    d.record = task->SerializeAsString();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  if (!response.mutable_task()->ParseFromString(outcome->record)) return absl::InternalError("unreadable task record");
  return absl::OkStatus();
}

}  // namespace ankommen::casework
