// The district's social workers: added or changed through the API or
// imported from the staff list; a new worker (or more capacity) takes the
// households waiting in their programme and area; a worker who leaves hands
// their households to the others.
#include "absl/strings/str_cat.h"
#include "ankommen/casework/v1/events.pb.h"
#include "bus/streams.h"
#include "casework.h"
#include "records.h"
#include "grpc/status.h"
#include "store/command.h"
#include "store/ids.h"
#include "text/csv.h"
#include "text/field_checks.h"

namespace ankommen::casework {

OutgoingEvent Casework::WorkerChangedEvent(const v1::WorkerRecord& record, const std::string& correlation_id) const {
  v1::WorkerChanged e;
  *e.mutable_meta() = Meta(correlation_id);
  const v1::Worker& w = record.worker();
  e.set_worker_id(w.worker_id());
  e.set_program(w.program());
  e.set_social_area(w.social_area());
  e.set_capacity(w.capacity());
  e.set_removed(record.removed());
  return ToOutgoing(streams::kWorkerChanged, e);
}

absl::StatusOr<LoadedWorker> Casework::LoadExistingWorker(const std::string& id) {
  if (!IsValidId(id, kWorkerIdPrefix)) {
    return InvalidFields({{"worker_id", absl::StrCat("'", id, "' is no worker id (wrk_…)")}});
  }
  auto loaded = store_.LoadWorker(id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || (*loaded)->record.removed()) {
    return absl::NotFoundError(absl::StrCat("worker ", id, " not found"));
  }
  return std::move(**loaded);
}

absl::StatusOr<std::string> Casework::SaveWorker(const google::protobuf::Message& request, const std::string& key,
                                                 const v1::Worker& worker, const std::string& correlation_id) {
  const bool is_new = worker.worker_id().empty();
  const int partition = is_new ? PartitionOfKey(key) : PartitionOfId(worker.worker_id());
  auto outcome = RunCommand(store_.outbox(), partition, "worker", request, key, [&]() -> absl::StatusOr<Decision> {
    v1::WorkerRecord record;
    int64_t version = 0;
    if (!is_new) {
      auto loaded = LoadExistingWorker(worker.worker_id());
      if (!loaded.ok()) return loaded.status();
      record = std::move(loaded->record);
      version = loaded->version;
    }
    v1::Worker& w = *record.mutable_worker() = worker;
    if (is_new) w.set_worker_id(NewId(kWorkerIdPrefix, partition));
    w.set_version(version + 1);
    Decision d;
    d.commit.aggregate_key = store_.WorkerKey(w.worker_id());
    d.commit.expected_version = version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {store_.WorkersIndex(record)};
    d.commit.events = {WorkerChangedEvent(record, correlation_id)};
    d.record = w.worker_id();
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  return outcome->record;
}

absl::Status Casework::UpsertWorker(const v1::UpsertWorkerRequest& request, v1::UpsertWorkerResponse& response,
                                    const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  const std::string& id = request.worker().worker_id();
  if (!id.empty() && !IsValidId(id, kWorkerIdPrefix)) {
    v.Add("worker.worker_id", "must be empty for a new worker or an id (wrk_…)");
  }
  if (!v.empty()) return v.ToStatus();
  if (auto s = CheckWorker(request.worker()); !s.ok()) return s;
  auto saved = SaveWorker(request, request.idempotency_key(), request.worker(), rc.correlation_id);
  if (!saved.ok()) return saved.status();
  auto loaded = LoadExistingWorker(*saved);
  if (!loaded.ok()) return loaded.status();
  const v1::Worker& w = loaded->record.worker();
  // Moved to another area or programme: the households they looked after there go to its workers.
  int handed_over = 0, unassigned = 0;
  if (auto s = HandOverFrom(w.worker_id(),
                            [&](const v1::HouseholdRecord& h) {
                              return h.social_area() != w.social_area() || h.program() != w.program();
                            },
                            rc.correlation_id, handed_over, unassigned);
      !s.ok()) {
    return s;
  }
  auto assigned = AssignWaiting(rc.correlation_id);
  if (!assigned.ok()) return assigned.status();
  response.set_households_assigned(*assigned);
  response.set_households_handed_over(handed_over + unassigned);
  *response.mutable_worker() = w;
  return absl::OkStatus();
}

absl::Status Casework::HandOverFrom(const std::string& worker_id,
                                    const std::function<bool(const v1::HouseholdRecord&)>& leaves,
                                    const std::string& correlation_id, int& handed_over, int& unassigned) {
  auto households = store_.HouseholdsOf(worker_id);
  if (!households.ok()) return households.status();
  for (const std::string& household_id : *households) {
    Decided decided;
    auto s = ApplyChange(store_.outbox(), PartitionOfId(household_id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store_.LoadHousehold(household_id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value() || (*loaded)->record.worker_id() != worker_id || !leaves((*loaded)->record)) {
        return std::optional<Commit>();
      }
      auto d = Decide((*loaded)->record, (*loaded)->record, (*loaded)->version, /*worker_left=*/true, correlation_id);
      if (!d.ok()) return d.status();
      decided = std::move(*d);
      return std::optional<Commit>(decided.commit);
    });
    if (!s.ok()) return s;
    if (decided.outcome.empty()) continue;
    Count(decided);
    ++(decided.outcome == "unassigned" ? unassigned : handed_over);
  }
  return absl::OkStatus();
}

absl::Status Casework::ImportWorkers(const v1::ImportWorkersRequest& request, v1::ImportWorkersResponse& response,
                                     const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (request.csv().empty()) v.Add("csv", "is required");
  if (request.csv().size() > 1024 * 1024) v.Add("csv", "must be at most 1 MiB; split the list");
  if (!v.empty()) return v.ToStatus();
  const CsvTable table = ParseCsv(request.csv());
  for (const auto& missing : table.Missing(kWorkerColumns)) {
    auto* r = response.add_rejected();
    r->set_line(1);
    r->set_reason(absl::StrCat("the header has no column ", missing));
  }
  if (response.rejected_size() > 0) return absl::OkStatus();
  for (const CsvRow& row : table.rows) {
    auto worker = WorkerRowOf(table, row);
    absl::Status s = worker.status();
    if (s.ok()) {
      v1::UpsertWorkerRequest as_request;  // what the row asks for, for the key's fingerprint
      *as_request.mutable_worker() = *worker;
      auto id = SaveWorker(as_request, absl::StrCat(request.idempotency_key(), "/", row.line), *worker, rc.correlation_id);
      s = id.status();
      if (id.ok()) response.add_worker_ids(*id);
    }
    if (!s.ok()) {
      auto* r = response.add_rejected();
      r->set_line(row.line);
      r->set_reason(std::string(s.message()));
    }
  }
  response.set_imported(response.worker_ids_size());
  auto assigned = AssignWaiting(rc.correlation_id);
  if (!assigned.ok()) return assigned.status();
  response.set_households_assigned(*assigned);
  return absl::OkStatus();
}

absl::Status Casework::GetWorker(const v1::GetWorkerRequest& request, v1::GetWorkerResponse& response,
                                 const RequestContext&) {
  auto loaded = LoadExistingWorker(request.worker_id());
  if (!loaded.ok()) return loaded.status();
  auto loads = store_.Loads({request.worker_id()});
  if (!loads.ok()) return loads.status();
  *response.mutable_worker() = loaded->record.worker();
  response.set_persons((*loads)[request.worker_id()].persons);
  response.set_households((*loads)[request.worker_id()].households);
  return absl::OkStatus();
}

absl::Status Casework::RemoveWorker(const v1::RemoveWorkerRequest& request, v1::RemoveWorkerResponse& response,
                                    const RequestContext& rc) {
  Violations v;
  CheckIdempotencyKey(v, request.idempotency_key());
  if (!IsValidId(request.worker_id(), kWorkerIdPrefix)) v.Add("worker_id", "must be a worker id (wrk_…)");
  if (!v.empty()) return v.ToStatus();
  const std::string& id = request.worker_id();
  // Leaving first (no household is given to them again), then each of their
  // households handed over; a retry finds them gone and hands over what is left.
  auto outcome = RunCommand(store_.outbox(), PartitionOfId(id), "remove_worker", request, request.idempotency_key(),
                            [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadWorker(id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value() || (*loaded)->record.removed()) {
      return absl::NotFoundError(absl::StrCat("worker ", id, " not found"));
    }
    v1::WorkerRecord record = std::move((*loaded)->record);
    record.set_removed(true);
    Decision d;
    d.commit.aggregate_key = store_.WorkerKey(id);
    d.commit.expected_version = (*loaded)->version;
    d.commit.state = record.SerializeAsString();
    d.commit.index_ops = {store_.WorkersIndex(record)};
    d.commit.events = {WorkerChangedEvent(record, rc.correlation_id)};
    d.record = id;
    return d;
  });
  if (!outcome.ok()) return outcome.status();
  int handed_over = 0, unassigned = 0;
  if (auto s = HandOverFrom(id, [](const v1::HouseholdRecord&) { return true; }, rc.correlation_id, handed_over,
                            unassigned);
      !s.ok()) {
    return s;
  }
  response.set_households_handed_over(handed_over);
  response.set_households_unassigned(unassigned);
  return absl::OkStatus();
}

}  // namespace ankommen::casework
