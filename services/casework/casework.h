// The casework service's use cases, free of transport: the district's social
// workers (workers.cpp), each household's case as the registry's and the
// housing's events change it (cases.cpp, events.cpp), the tasks a hand-over
// brings (tasks.cpp), the caseloads against the district's target
// (caseloads.cpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ankommen/casework/v1/casework.pb.h"
#include "ankommen/common/v1/event.pb.h"
#include "bus/bus.h"
#include "responsibility.h"
#include "grpc/request_context.h"
#include "runtime/clock.h"
#include "storage/casework_store.h"

namespace ankommen {
class Metrics;
}

namespace ankommen::casework {

struct CaseworkSettings {
  Rules rules;  // who is responsible: the district's choices
  // Persons per full-time worker the district aims at (1:150 in Meißen today,
  // 1:80 the aim of Görlitz and Meißen): the alert's and the dashboard's threshold.
  double target_persons_per_worker = 150;
  absl::Duration task_due = absl::Hours(24 * 14);  // a hand-over's tasks are due within
};

struct CaseworkInstruments;

class Casework {
 public:
  Casework(CaseworkStore& store, const Clock& clock, CaseworkSettings settings, Metrics& metrics);
  ~Casework();

  // The district's social workers.
  absl::Status UpsertWorker(const v1::UpsertWorkerRequest& request, v1::UpsertWorkerResponse& response,
                            const RequestContext& rc);
  absl::Status ImportWorkers(const v1::ImportWorkersRequest& request, v1::ImportWorkersResponse& response,
                             const RequestContext& rc);
  absl::Status GetWorker(const v1::GetWorkerRequest& request, v1::GetWorkerResponse& response,
                         const RequestContext& rc);
  absl::Status RemoveWorker(const v1::RemoveWorkerRequest& request, v1::RemoveWorkerResponse& response,
                            const RequestContext& rc);

  // Cases and their tasks.
  absl::Status GetCase(const v1::GetCaseRequest& request, v1::GetCaseResponse& response, const RequestContext& rc);
  absl::Status ListTasks(const v1::ListTasksRequest& request, v1::ListTasksResponse& response,
                         const RequestContext& rc);
  absl::Status CompleteTask(const v1::CompleteTaskRequest& request, v1::CompleteTaskResponse& response,
                            const RequestContext& rc);

  // Caseloads.
  absl::Status GetCaseloads(const v1::GetCaseloadsRequest& request, v1::GetCaseloadsResponse& response,
                            const RequestContext& rc);
  absl::Status RefreshGauges();

  // The registry's events (households, statuses, moves, erasures, closures)
  // and the housing's (moves in and out of shared accommodation).
  absl::Status ApplyRegistryEvent(const IncomingEvent& event);
  absl::Status ApplyHousingEvent(const IncomingEvent& event);

  CaseworkStore& store() { return store_; }
  const CaseworkSettings& settings() const { return settings_; }
  const Clock& clock() const { return clock_; }

 private:
  // How the household's facts change; false: the event does not concern it (nothing written).
  using FactsChange = std::function<absl::StatusOr<bool>(v1::HouseholdRecord&)>;
  // Applies an event's change to a household once (the event's inbox), and
  // what it means for its casework: a worker assigned or handed over, tasks.
  absl::Status ApplyToHousehold(const IncomingEvent& event, const std::string& household_id, const FactsChange& change);
  // The commit of `after` (the facts changed, `before` as stored at
  // `version`): reassessed, with its events and indexes. `worker_left`: its
  // worker is gone, whoever is responsible now.
  struct Decided {
    Commit commit;
    std::string outcome;  // assigned, handed_over, unassigned, ended; empty: the assignment stands
    v1::Program program = v1::PROGRAM_UNSPECIFIED;
  };
  absl::StatusOr<Decided> Decide(const v1::HouseholdRecord& before, v1::HouseholdRecord after, int64_t version,
                                 bool worker_left, const std::string& correlation_id);
  void Count(const Decided& decided);
  // Gives households waiting for a worker one, where one has room now; how many.
  absl::StatusOr<int> AssignWaiting(const std::string& correlation_id);
  // Hands the households of `worker_id` that `leaves` picks to another
  // worker of their programme and area (or to the waiting list); counts each.
  absl::Status HandOverFrom(const std::string& worker_id, const std::function<bool(const v1::HouseholdRecord&)>& leaves,
                            const std::string& correlation_id, int& handed_over, int& unassigned);
  absl::StatusOr<LoadedWorker> LoadExistingWorker(const std::string& id);
  absl::StatusOr<std::string> SaveWorker(const google::protobuf::Message& request, const std::string& key,
                                         const v1::Worker& worker, const std::string& correlation_id);
  OutgoingEvent WorkerChangedEvent(const v1::WorkerRecord& record, const std::string& correlation_id) const;
  ankommen::common::v1::EventMeta Meta(const std::string& correlation_id) const;

  CaseworkStore& store_;
  const Clock& clock_;
  CaseworkSettings settings_;
  std::unique_ptr<CaseworkInstruments> instruments_;
};

}  // namespace ankommen::casework
