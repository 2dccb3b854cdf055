// The caseloads: persons per worker by programme and social area against the
// district's target, households waiting for a worker, open tasks — answered
// and published as gauges.
#include <map>
#include <tuple>

#include "casework.h"
#include "casework_internal.h"
#include "records.h"

namespace ankommen::casework {

namespace {

using AreaKey = std::pair<v1::Program, std::string>;

// Every programme and area with a worker or a household waiting, from the store.
absl::StatusOr<std::map<AreaKey, v1::Caseload>> Tally(CaseworkStore& store) {
  auto workers = store.LoadWorkers();
  if (!workers.ok()) return workers.status();
  std::vector<std::string> ids;
  for (const auto& w : *workers) ids.push_back(w.record.worker().worker_id());
  auto loads = store.Loads(ids);
  if (!loads.ok()) return loads.status();
  std::map<AreaKey, v1::Caseload> out;
  auto at = [&out](v1::Program program, const std::string& area) -> v1::Caseload& {
    v1::Caseload& c = out[{program, area}];
    c.set_program(program);
    c.set_social_area(area);
    return c;
  };
  for (const auto& loaded : *workers) {
    const v1::Worker& w = loaded.record.worker();
    v1::Caseload& c = at(w.program(), w.social_area());
    c.set_workers(c.workers() + 1);
    c.set_capacity(c.capacity() + w.capacity());
    c.set_persons(c.persons() + (*loads)[w.worker_id()].persons);
  }
  auto waiting = store.LoadUnassigned();
  if (!waiting.ok()) return waiting.status();
  for (const auto& h : *waiting) {
    v1::Caseload& c = at(h.record.program(), h.record.social_area());
    c.set_households_unassigned(c.households_unassigned() + 1);
    c.set_persons_unassigned(c.persons_unassigned() + h.record.members_size());
  }
  for (auto& [key, c] : out) {
    c.set_persons_per_worker(c.workers() > 0 ? static_cast<double>(c.persons()) / c.workers() : 0);
  }
  return out;
}

}  // namespace

absl::Status Casework::GetCaseloads(const v1::GetCaseloadsRequest& request, v1::GetCaseloadsResponse& response,
                                    const RequestContext&) {
  auto tally = Tally(store_);
  if (!tally.ok()) return tally.status();
  for (const auto& [key, c] : *tally) {
    if (request.social_area().empty() || c.social_area() == request.social_area()) *response.add_caseloads() = c;
  }
  response.set_target_persons_per_worker(settings_.target_persons_per_worker);
  return absl::OkStatus();
}

absl::Status Casework::RefreshGauges() {
  auto tally = Tally(store_);
  if (!tally.ok()) return tally.status();
  std::map<std::vector<std::string>, double> persons, workers, per_worker, unassigned;
  for (const auto& [key, c] : *tally) {
    const std::vector<std::string> labels = {ProgramLabel(c.program()), c.social_area()};
    persons[labels] = c.persons();
    workers[labels] = c.workers();
    if (c.workers() > 0) per_worker[labels] = c.persons_per_worker();
    unassigned[labels] = c.households_unassigned();
  }
  instruments_->persons_table.Publish(persons);
  instruments_->workers_table.Publish(workers);
  instruments_->per_worker_table.Publish(per_worker);
  instruments_->unassigned_table.Publish(unassigned);
  v1::ListTasksResponse open;
  if (auto s = ListTasks(v1::ListTasksRequest(), open, RequestContext()); !s.ok()) return s;
  std::map<std::vector<std::string>, double> tasks;
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  for (const auto& t : open.tasks()) {
    tasks[{TaskName(TaskKindOf(t.kind())), t.due().seconds() < now ? "yes" : "no"}] += 1;
  }
  instruments_->tasks_table.Publish(tasks);
  return absl::OkStatus();
}

}  // namespace ankommen::casework
