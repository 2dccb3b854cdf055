// Social work in the simulated district: the district's social workers
// (social_areas.csv) join the casework service's staff list before the first
// arrival, each with the caseload the district staffs by today
// (persons_per_social_worker); the casework service then assigns every
// household registered, hands it over on protection and on moves, and the
// council's report counts the caseload from what it assigned.
#include "records.h"
#include "simulation_internal.h"

namespace ankommen::sim {

absl::Status Simulation::ImportSocialWorkers() {
  std::string csv = "program,social_area,capacity,display_name\n";
  int rows = 0;
  for (const auto& area : district_.social_areas) {
    for (const auto& [program, count] : {std::pair{"fsa", area.social_workers}, std::pair{"mbe", area.migration_counsellors},
                                         std::pair{"jmd", area.youth_migration_workers}}) {
      for (int i = 1; i <= count * scale_; ++i) {
        absl::StrAppend(&csv, program, ",\"", area.name, "\",", district_.persons_per_social_worker, ",", program, " ",
                        i, "\n");
        ++rows;
      }
    }
  }
  if (rows == 0) return absl::OkStatus();  // no staff list: the caseload stays housing's estimate
  wv1::ImportWorkersRequest request;
  request.set_idempotency_key(Key("social-workers", "all"));
  request.set_csv(csv);
  wv1::ImportWorkersResponse response;
  if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::ImportWorkers, request, &response); !s.ok()) return s;
  if (response.rejected_size() > 0) {
    return absl::FailedPreconditionError(absl::StrCat("social_areas.csv: a social worker was refused: ",
                                                      response.rejected(0).reason()));
  }
  social_workers_imported_ = response.imported();
  return absl::OkStatus();
}

absl::Status Simulation::DoCaseworkTasks(int day) {
  if (social_workers_imported_ == 0) return absl::OkStatus();
  wv1::ListTasksResponse open;
  if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::ListTasks, wv1::ListTasksRequest(), &open); !s.ok()) {
    return s;
  }
  std::map<std::string, wv1::GetWorkerResponse> workers;  // today's, as tasks name them
  for (const wv1::Task& t : open.tasks()) {
    const std::string key = absl::StrCat(t.household_id(), "/", t.task_id());
    auto [plan, is_new] = task_plans_.try_emplace(key);
    if (is_new) {
      // A worker does a task two to eight days after it opens, and up to
      // twelve days later the fuller their caseload; none while the household waits for one.
      double fill = 1;
      if (!t.worker_id().empty()) {
        auto [w, first] = workers.try_emplace(t.worker_id());
        if (first) {
          wv1::GetWorkerRequest get;
          get.set_worker_id(t.worker_id());
          if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::GetWorker, get, &w->second); !s.ok()) return s;
        }
        if (w->second.worker().capacity() > 0) {
          fill = std::min(1.0, static_cast<double>(w->second.persons()) / w->second.worker().capacity());
        }
      }
      plan->second.household_id = t.household_id();
      plan->second.task_id = t.task_id();
      plan->second.done_on = day + casework_random_.Int(2, 8) + static_cast<int>(std::lround(12 * fill * fill));
      plan->second.due_on = day + static_cast<int>((t.due().seconds() - t.opened_at().seconds()) / 86400);
    }
    if (t.worker_id().empty() || plan->second.done_on > day) continue;
    wv1::CompleteTaskRequest done;
    done.set_idempotency_key(Key("task", key));
    done.set_household_id(t.household_id());
    done.set_task_id(t.task_id());
    wv1::CompleteTaskResponse completed;
    if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::CompleteTask, done, &completed); !s.ok()) return s;
    plan->second.done = true;
    plan->second.done_on = day;
  }
  return absl::OkStatus();
}

absl::Status Simulation::FinishCasework(Report& report) {
  if (social_workers_imported_ == 0) return absl::OkStatus();
  CaseworkFigures& f = report.casework;
  f.workers = social_workers_imported_;
  wv1::GetCaseloadsResponse loads;
  if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::GetCaseloads, wv1::GetCaseloadsRequest(), &loads); !s.ok()) {
    return s;
  }
  for (const auto& c : loads.caseloads()) {
    f.caseloads.push_back({casework::ProgramLabel(c.program()), c.social_area(), c.workers(), c.capacity(), c.persons(), c.persons_per_worker(),
                           c.households_unassigned()});
  }
  // Tasks dropped on the way (a case closed, a person erased) count as opened, neither done nor overdue.
  wv1::ListTasksResponse open;
  if (auto s = Call(*casework_, &wv1::CaseworkService::Stub::ListTasks, wv1::ListTasksRequest(), &open); !s.ok()) {
    return s;
  }
  const int end = options_.weeks * 7 - 1;
  f.tasks_opened = static_cast<int>(task_plans_.size());
  for (const auto& [key, plan] : task_plans_) {
    if (!plan.done) continue;
    ++f.tasks_done;
    if (plan.done_on <= plan.due_on) ++f.tasks_done_in_time;
  }
  for (const wv1::Task& t : open.tasks()) {
    const auto plan = task_plans_.find(absl::StrCat(t.household_id(), "/", t.task_id()));
    if (plan == task_plans_.end()) {
      ++f.tasks_opened;  // opened after the last day's work
    } else if (plan->second.due_on < end) {
      ++f.tasks_overdue_at_end;
    }
  }
  return absl::OkStatus();
}

}  // namespace ankommen::sim
