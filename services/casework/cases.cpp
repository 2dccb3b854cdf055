// A household's case: what a change of its facts means for who looks after
// it — the responsible programme, the worker in its area with the most room
// (or none, and why), the hand-over's tasks — decided by the domain
// (casework.h) and committed with its events and indexes. Also the use cases'
// construction and the events' metadata.
#include "absl/strings/str_cat.h"
#include "ankommen/casework/v1/events.pb.h"
#include "bus/streams.h"
#include "casework_internal.h"
#include "records.h"
#include "store/command.h"
#include "store/ids.h"

namespace ankommen::casework {

Casework::Casework(CaseworkStore& store, const Clock& clock, CaseworkSettings settings, Metrics& metrics)
    : store_(store),
      clock_(clock),
      settings_(std::move(settings)),
      instruments_(std::make_unique<CaseworkInstruments>(metrics.registry())) {
  instruments_->target.Add({}).Set(settings_.target_persons_per_worker);
}

Casework::~Casework() = default;

ankommen::common::v1::EventMeta Casework::Meta(const std::string& correlation_id) const {
  ankommen::common::v1::EventMeta meta;
  meta.set_event_id(NewId("ev", 0));
  meta.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  meta.set_correlation_id(correlation_id);
  meta.set_producer("casework");
  return meta;
}

namespace {

bool IsOpen(const v1::HouseholdRecord& r) { return r.registered() && !r.closed() && r.members_size() > 0; }

}  // namespace

absl::StatusOr<Casework::Decided> Casework::Decide(const v1::HouseholdRecord& before, v1::HouseholdRecord after,
                                                   int64_t version, bool worker_left,
                                                   const std::string& correlation_id) {
  Decided out;
  const absl::Time now = clock_.Now();
  auto assigned_event = [&](bool ended) {
    v1::CaseAssigned e;
    *e.mutable_meta() = Meta(correlation_id);
    e.set_household_id(after.household_id());
    e.set_program(after.program());
    e.set_social_area(after.social_area());
    e.set_worker_id(after.worker_id());
    e.set_previous_worker_id(before.worker_id());
    e.set_persons(after.members_size());
    e.set_why_none(after.why_none());
    e.set_ended(ended);
    out.commit.events.push_back(ToOutgoing(streams::kCaseAssigned, e));
  };

  if (!IsOpen(after)) {
    if (IsOpen(before)) {  // the case ended: its worker is free of it, its tasks are no one's
      after.clear_worker_id();
      after.clear_why_none();
      for (auto& t : *after.mutable_tasks()) {
        if (t.status() == v1::TASK_STATUS_OPEN) t.set_status(v1::TASK_STATUS_DROPPED);
      }
      assigned_event(/*ended=*/true);
      out.outcome = "ended";
      out.program = after.program();
    }
  } else {
    auto stored = store_.LoadWorkers();
    if (!stored.ok()) return stored.status();
    std::vector<Worker> workers;
    for (const auto& w : *stored) workers.push_back(WorkerOf(w.record.worker()));
    const Household was = HouseholdOf(before), now_facts = HouseholdOf(after);
    const Program responsible = Responsible(now_facts, settings_.rules);
    Assignment current = AssignmentOf(before);
    // A worker who left (or is no longer in the pool) hands over whoever is responsible now.
    const bool gone = current.worker_id && std::none_of(workers.begin(), workers.end(), [&](const Worker& w) {
                        return w.worker_id == *current.worker_id;
                      });
    worker_left = worker_left || gone;
    if (worker_left) current.worker_id.reset();
    std::vector<std::string> candidates;
    for (const Worker& w : workers) {
      if ((w.program == responsible && w.social_area == now_facts.social_area) ||
          (current.worker_id && w.worker_id == *current.worker_id)) {
        candidates.push_back(w.worker_id);
      }
    }
    auto loads = store_.Loads(candidates);
    if (!loads.ok()) return loads.status();
    std::map<std::string, int> load;
    for (const auto& [id, l] : *loads) load[id] = l.persons;
    const bool first = before.program() == v1::PROGRAM_UNSPECIFIED;
    const HandOver handover = Reassess(was, now_facts, current, workers, load, settings_.rules);
    if (first || worker_left || handover.needed) {
      const Assignment& to = handover.to;
      after.set_program(ToProto(to.program));
      after.set_worker_id(to.worker_id.value_or(""));
      after.set_why_none(to.why_none);
      if (after.worker_id() != before.worker_id()) after.set_assigned_at(absl::ToUnixSeconds(now));
      for (auto& t : *after.mutable_tasks()) {  // open tasks go with the case
        if (t.status() == v1::TASK_STATUS_OPEN) t.set_worker_id(after.worker_id());
      }
      if (first || after.worker_id() != before.worker_id() || after.program() != before.program() ||
          after.social_area() != before.social_area()) {
        out.outcome = after.worker_id().empty() ? "unassigned"
                      : before.worker_id().empty() ? "assigned"
                                                  : "handed_over";
        out.program = after.program();
      }
    }
    // Said too when only the household's size changed: the caseload counts persons.
    if (!out.outcome.empty() || before.members_size() != after.members_size()) assigned_event(/*ended=*/false);
    for (const Task& task : handover.tasks) {
      v1::Task& t = *after.add_tasks();
      after.set_next_task(after.next_task() + 1);
      t.set_task_id(absl::StrCat("t", after.next_task()));
      t.set_household_id(after.household_id());
      t.set_kind(ToProto(task.kind));
      t.set_person_id(task.person_id);
      t.set_worker_id(after.worker_id());
      t.set_status(v1::TASK_STATUS_OPEN);
      t.mutable_opened_at()->set_seconds(absl::ToUnixSeconds(now));
      t.mutable_due()->set_seconds(absl::ToUnixSeconds(now + settings_.task_due));
      v1::TaskOpened e;
      *e.mutable_meta() = Meta(correlation_id);
      e.set_household_id(after.household_id());
      e.set_task_id(t.task_id());
      e.set_kind(t.kind());
      e.set_person_id(t.person_id());
      e.set_worker_id(t.worker_id());
      *e.mutable_due() = t.due();
      out.commit.events.push_back(ToOutgoing(streams::kTaskOpened, e));
    }
  }
  out.commit.aggregate_key = store_.HouseholdKey(after.household_id());
  out.commit.expected_version = version;
  out.commit.index_ops = store_.HouseholdIndexes(before, after);
  out.commit.state = after.SerializeAsString();
  return out;
}

void Casework::Count(const Decided& d) {
  if (d.outcome.empty()) return;
  instruments_->assignments_vec.With({ProgramLabel(d.program), d.outcome}).Increment();
}

absl::Status Casework::ApplyToHousehold(const IncomingEvent& event, const std::string& household_id,
                                        const FactsChange& change) {
  if (!IsValidId(household_id, kHouseholdIdPrefix)) return absl::InvalidArgumentError("bad household id");
  Decided decided;
  auto outcome = RunInbox(store_.outbox(), PartitionOfId(household_id), absl::StrCat(event.event_id, "/", household_id),
                          [&]() -> absl::StatusOr<Decision> {
    auto loaded = store_.LoadHousehold(household_id);
    if (!loaded.ok()) return loaded.status();
    v1::HouseholdRecord before;
    int64_t version = 0;
    if (loaded->has_value()) {
      before = std::move((*loaded)->record);
      version = (*loaded)->version;
    }
    before.set_household_id(household_id);
    if (before.closed()) return absl::NotFoundError("closed");  // a closed case stays closed
    v1::HouseholdRecord after = before;
    auto changed = change(after);
    if (!changed.ok()) return changed.status();
    if (!*changed) return absl::NotFoundError("not concerned");
    auto d = Decide(before, std::move(after), version, /*worker_left=*/false, event.event_id);
    if (!d.ok()) return d.status();
    decided = std::move(*d);
    Decision out;
    out.commit = decided.commit;
    out.record = household_id;
    return out;
  });
  if (!outcome.ok()) return absl::IsNotFound(outcome.status()) ? absl::OkStatus() : outcome.status();
  if (!outcome->replayed) Count(decided);
  return absl::OkStatus();
}

absl::StatusOr<int> Casework::AssignWaiting(const std::string& correlation_id) {
  auto waiting = store_.LoadUnassigned();
  if (!waiting.ok()) return waiting.status();
  int assigned = 0;
  for (const auto& w : *waiting) {
    const std::string& id = w.record.household_id();
    Decided decided;
    auto s = ApplyChange(store_.outbox(), PartitionOfId(id), [&]() -> absl::StatusOr<std::optional<Commit>> {
      auto loaded = store_.LoadHousehold(id);
      if (!loaded.ok()) return loaded.status();
      if (!loaded->has_value() || !(*loaded)->record.worker_id().empty() || !IsOpen((*loaded)->record)) {
        return std::optional<Commit>();
      }
      auto d = Decide((*loaded)->record, (*loaded)->record, (*loaded)->version, false, correlation_id);
      if (!d.ok()) return d.status();
      if (d->outcome != "assigned") return std::optional<Commit>();  // still no one with room
      decided = std::move(*d);
      return std::optional<Commit>(decided.commit);
    });
    if (!s.ok()) return s;
    if (!decided.outcome.empty()) {
      Count(decided);
      ++assigned;
    }
  }
  return assigned;
}

absl::Status Casework::GetCase(const v1::GetCaseRequest& request, v1::GetCaseResponse& response,
                               const RequestContext&) {
  if (!IsValidId(request.household_id(), kHouseholdIdPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("household_id: '", request.household_id(), "' is no registry household id (hh_…)"));
  }
  auto loaded = store_.LoadHousehold(request.household_id());
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value() || !(*loaded)->record.registered()) {
    return absl::NotFoundError(absl::StrCat("household ", request.household_id(), " has no case here (yet)"));
  }
  const v1::HouseholdRecord& r = (*loaded)->record;
  v1::Case& c = *response.mutable_case_();
  c.set_household_id(r.household_id());
  c.set_social_area(r.social_area());
  c.set_program(r.program());
  c.set_worker_id(r.worker_id());
  c.set_why_none(r.why_none());
  c.set_persons(r.members_size());
  c.set_in_shared_accommodation(r.in_shared_accommodation());
  c.mutable_assigned_at()->set_seconds(r.assigned_at());
  c.set_closed(r.closed());
  *c.mutable_tasks() = r.tasks();
  return absl::OkStatus();
}

}  // namespace ankommen::casework
