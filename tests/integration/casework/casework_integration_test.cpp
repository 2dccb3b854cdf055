// The casework service's use cases against a real redis-server, fed the
// registry's and the housing's events as the consumers would: who is
// assigned on registration (the responsible programme's worker in the area
// with the most room), what a status decision, a move, shared accommodation,
// a worker's leaving, an erasure and a closure hand over, the tasks they bring
// and the caseloads; a redelivered event changes nothing; bad input is
// refused and writes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "ankommen/casework/v1/events.pb.h"
#include "ankommen/housing/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "casework.h"
#include "observability/metrics.h"
#include "store/ids.h"
#include "store/redis.h"
#include "support/outbox_events.h"
#include "support/servers.h"

namespace ankommen::casework {
namespace {

namespace rv1 = ::ankommen::registry::v1;
namespace hv1 = ::ankommen::housing::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'803'884'400);  // 2027-03-01 08:00 in Saxony
constexpr char kFamily[] = "hh_1000000000000001";
constexpr char kMother[] = "p_1000000000000011";
constexpr char kSon[] = "p_1000000000000012";

class CaseworkServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pool = RedisPool::Connect(redis_.url(), 2);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    outbox_ = std::make_unique<Outbox>(*pool_, KeySpace("casework"));
    store_ = std::make_unique<CaseworkStore>(*outbox_, *pool_);
    casework_ = std::make_unique<Casework>(*store_, clock_, CaseworkSettings(), metrics_);
  }

  std::string AddWorker(v1::Program program, const std::string& area, int capacity, const std::string& key) {
    v1::UpsertWorkerRequest r;
    r.set_idempotency_key(key);
    r.mutable_worker()->set_program(program);
    r.mutable_worker()->set_social_area(area);
    r.mutable_worker()->set_capacity(capacity);
    v1::UpsertWorkerResponse out;
    auto s = casework_->UpsertWorker(r, out, {});
    EXPECT_TRUE(s.ok()) << s;
    return out.worker().worker_id();
  }

  static IncomingEvent Event(const std::string& id, const google::protobuf::Message& m) {
    IncomingEvent e;
    e.event_id = id;
    e.event_type = m.GetDescriptor()->full_name();
    e.payload = m.SerializeAsString();
    return e;
  }

  static rv1::PersonFacts Person(const std::string& id, int age) {
    rv1::PersonFacts p;
    p.set_person_id(id);
    p.set_age_years(age);
    p.set_residence_status(rv1::RESIDENCE_STATUS_ASYLUM_SEEKER);
    p.set_benefit_regime(rv1::BENEFIT_REGIME_ASYLBLG);
    return p;
  }

  // A mother (34) and her son (7), asylum seekers on the AsylbLG, in `area`.
  absl::Status Register(const std::string& event_id, const std::string& household = kFamily,
                        const std::string& area = "Riesa", std::vector<rv1::PersonFacts> members = {}) {
    rv1::HouseholdRegistered e;
    e.set_household_id(household);
    e.set_social_area(area);
    if (members.empty()) members = {Person(kMother, 34), Person(kSon, 7)};
    for (auto& m : members) *e.add_members() = m;
    return casework_->ApplyRegistryEvent(Event(event_id, e));
  }

  absl::Status Protect(const std::string& event_id, const std::string& person) {
    rv1::PersonStatusChanged e;
    e.set_person_id(person);
    e.set_household_id(kFamily);
    e.set_previous_status(rv1::RESIDENCE_STATUS_ASYLUM_SEEKER);
    e.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    e.set_benefit_regime(rv1::BENEFIT_REGIME_SGB_II);
    return casework_->ApplyRegistryEvent(Event(event_id, e));
  }

  absl::Status MovedIn(const std::string& event_id, hv1::Kind kind) {
    hv1::HouseholdMovedIn e;
    e.set_household_id(kFamily);
    e.set_kind(kind);
    return casework_->ApplyHousingEvent(Event(event_id, e));
  }

  v1::Case Case(const std::string& household = kFamily) {
    v1::GetCaseRequest r;
    r.set_household_id(household);
    v1::GetCaseResponse out;
    auto s = casework_->GetCase(r, out, {});
    EXPECT_TRUE(s.ok()) << s;
    return out.case_();
  }

  std::vector<std::string> TaskKinds(const v1::Case& c) {
    std::vector<std::string> kinds;
    for (const auto& t : c.tasks()) {
      kinds.push_back(absl::StrCat(v1::TaskKind_Name(t.kind()), t.person_id().empty() ? "" : ":" + t.person_id(), "/",
                                   v1::TaskStatus_Name(t.status())));
    }
    return kinds;
  }

  // The CaseAssigned events in the outbox, in commit order per partition.
  std::vector<v1::CaseAssigned> Assigned() { return testing::OutboxEvents<v1::CaseAssigned>(*pool_, outbox_->keys()); }

  v1::Caseload Caseload(v1::Program program, const std::string& area) {
    v1::GetCaseloadsResponse out;
    EXPECT_TRUE(casework_->GetCaseloads({}, out, {}).ok());
    for (const auto& c : out.caseloads()) {
      if (c.program() == program && c.social_area() == area) return c;
    }
    return {};
  }

  testing::RedisServer redis_;
  ManualClock clock_{kStart};
  Metrics metrics_;
  std::unique_ptr<RedisPool> pool_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<CaseworkStore> store_;
  std::unique_ptr<Casework> casework_;
};

TEST_F(CaseworkServiceTest, ARegisteredHouseholdGoesToTheAreasRefugeeSocialWorkerWithTheMostRoom) {
  const std::string busy = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  const std::string free = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w2");
  AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Großenhain", 300, "w3");  // more room, another area
  AddWorker(v1::PROGRAM_MIGRATION_COUNSELLING, "Riesa", 300, "w4");     // more room, another programme
  // The busy one looks after three persons already.
  ASSERT_TRUE(Register("ev-0", "hh_2000000000000002", "Riesa",
                       {Person("p_2000000000000021", 40), Person("p_2000000000000022", 38),
                        Person("p_2000000000000023", 9)})
                  .ok());
  const std::string first = Case("hh_2000000000000002").worker_id();
  ASSERT_FALSE(first.empty());
  const std::string expected = first == busy ? free : busy;

  ASSERT_TRUE(Register("ev-1").ok());
  const v1::Case c = Case();
  EXPECT_EQ(c.program(), v1::PROGRAM_REFUGEE_SOCIAL_WORK);
  EXPECT_EQ(c.worker_id(), expected);
  EXPECT_EQ(c.persons(), 2);
  EXPECT_THAT(TaskKinds(c), ElementsAre("TASK_KIND_INTRODUCE_NEW_WORKER/TASK_STATUS_OPEN"));
  EXPECT_EQ(c.tasks(0).due().seconds(), absl::ToUnixSeconds(kStart + absl::Hours(24 * 14)));

  const v1::Caseload riesa = Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa");
  EXPECT_EQ(riesa.workers(), 2);
  EXPECT_EQ(riesa.persons(), 5);
  EXPECT_DOUBLE_EQ(riesa.persons_per_worker(), 2.5);
  const auto events = Assigned();
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) EXPECT_TRUE(e.previous_worker_id().empty());
}

TEST_F(CaseworkServiceTest, ProtectionHandsTheHouseholdToMigrationCounsellingWithAJobcenterTask) {
  const std::string fsa = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  const std::string mbe = AddWorker(v1::PROGRAM_MIGRATION_COUNSELLING, "Riesa", 150, "w2");
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_EQ(Case().worker_id(), fsa);

  // The mother first: her son is still in the procedure, so refugee social
  // work keeps them; her benefits passed to the Jobcenter all the same.
  clock_.Advance(absl::Hours(24 * 30));
  ASSERT_TRUE(Protect("ev-2", kMother).ok());
  v1::Case c = Case();
  EXPECT_EQ(c.worker_id(), fsa);
  EXPECT_THAT(TaskKinds(c), ElementsAre("TASK_KIND_INTRODUCE_NEW_WORKER/TASK_STATUS_OPEN",
                                        absl::StrCat("TASK_KIND_JOBCENTER_CONTACT:", kMother, "/TASK_STATUS_OPEN")));
  ASSERT_TRUE(Protect("ev-3", kSon).ok());
  c = Case();
  EXPECT_EQ(c.program(), v1::PROGRAM_MIGRATION_COUNSELLING);
  EXPECT_EQ(c.worker_id(), mbe);
  EXPECT_EQ(c.assigned_at().seconds(), absl::ToUnixSeconds(kStart + absl::Hours(24 * 30)));
  ASSERT_EQ(c.tasks_size(), 4);  // the son's benefits passed too, and the new worker introduces themselves
  for (const auto& t : c.tasks()) EXPECT_EQ(t.worker_id(), mbe) << "open tasks go with the case";

  const auto events = Assigned();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].previous_worker_id(), fsa);
  EXPECT_EQ(events[1].worker_id(), mbe);
  EXPECT_EQ(events[1].program(), v1::PROGRAM_MIGRATION_COUNSELLING);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons(), 0);
  EXPECT_EQ(Caseload(v1::PROGRAM_MIGRATION_COUNSELLING, "Riesa").persons(), 2);

  // The worker's open tasks, by due date; one done once.
  v1::ListTasksRequest list;
  list.set_worker_id(mbe);
  v1::ListTasksResponse open;
  ASSERT_TRUE(casework_->ListTasks(list, open, {}).ok());
  ASSERT_EQ(open.tasks_size(), 4);
  EXPECT_LE(open.tasks(0).due().seconds(), open.tasks(3).due().seconds());
  v1::CompleteTaskRequest done;
  done.set_idempotency_key("done-1");
  done.set_household_id(kFamily);
  done.set_task_id(open.tasks(0).task_id());
  v1::CompleteTaskResponse completed;
  ASSERT_TRUE(casework_->CompleteTask(done, completed, {}).ok());
  EXPECT_EQ(completed.task().status(), v1::TASK_STATUS_DONE);
  v1::CompleteTaskResponse retried;
  ASSERT_TRUE(casework_->CompleteTask(done, retried, {}).ok()) << "a retry answers as the first call";
  EXPECT_EQ(retried.task().task_id(), completed.task().task_id());
  done.set_idempotency_key("done-2");
  EXPECT_EQ(casework_->CompleteTask(done, retried, {}).code(), absl::StatusCode::kFailedPrecondition);
  open.Clear();
  ASSERT_TRUE(casework_->ListTasks(list, open, {}).ok());
  EXPECT_EQ(open.tasks_size(), 3);
}

TEST_F(CaseworkServiceTest, SharedAccommodationKeepsRefugeeSocialWorkUntilTheHouseholdMovesOut) {
  const std::string fsa = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  const std::string mbe = AddWorker(v1::PROGRAM_MIGRATION_COUNSELLING, "Riesa", 150, "w2");
  // The housing's event may come before the registry's.
  ASSERT_TRUE(MovedIn("ev-0", hv1::KIND_SHARED).ok());
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_TRUE(Protect("ev-2", kMother).ok());
  ASSERT_TRUE(Protect("ev-3", kSon).ok());
  v1::Case c = Case();
  EXPECT_TRUE(c.in_shared_accommodation());
  EXPECT_EQ(c.worker_id(), fsa) << "protected, but in shared accommodation";

  hv1::HouseholdMovedOut out;
  out.set_household_id(kFamily);
  ASSERT_TRUE(casework_->ApplyHousingEvent(Event("ev-4", out)).ok());
  c = Case();
  EXPECT_FALSE(c.in_shared_accommodation());
  EXPECT_EQ(c.worker_id(), mbe);
}

TEST_F(CaseworkServiceTest, AMoveHandsTheHouseholdToTheNewAreasWorkerOrSaysNoneIsThere) {
  const std::string riesa = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_EQ(Case().worker_id(), riesa);

  rv1::HouseholdRelocated move;
  move.set_household_id(kFamily);
  move.set_social_area("Großenhain");
  ASSERT_TRUE(casework_->ApplyRegistryEvent(Event("ev-2", move)).ok());
  v1::Case c = Case();
  EXPECT_EQ(c.social_area(), "Großenhain");
  EXPECT_TRUE(c.worker_id().empty());
  EXPECT_EQ(c.why_none(), "no fsa worker in Großenhain");
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Großenhain").households_unassigned(), 1);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons(), 0);

  // A worker for Großenhain takes the household waiting there.
  v1::UpsertWorkerRequest r;
  r.set_idempotency_key("w2");
  r.mutable_worker()->set_program(v1::PROGRAM_REFUGEE_SOCIAL_WORK);
  r.mutable_worker()->set_social_area("Großenhain");
  r.mutable_worker()->set_capacity(75);
  v1::UpsertWorkerResponse added;
  ASSERT_TRUE(casework_->UpsertWorker(r, added, {}).ok());
  EXPECT_EQ(added.households_assigned(), 1);
  EXPECT_EQ(Case().worker_id(), added.worker().worker_id());
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Großenhain").households_unassigned(), 0);
}

TEST_F(CaseworkServiceTest, AFullWorkerTakesNoMoreAndALeavingWorkerHandsOver) {
  const std::string small = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 2, "w1");
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_EQ(Case().worker_id(), small);
  ASSERT_TRUE(Register("ev-2", "hh_2000000000000002", "Riesa", {Person("p_2000000000000021", 40)}).ok());
  EXPECT_EQ(Case("hh_2000000000000002").why_none(), "every fsa worker in Riesa is full");

  const std::string big = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w2");
  EXPECT_EQ(Case("hh_2000000000000002").worker_id(), big);

  v1::RemoveWorkerRequest remove;
  remove.set_idempotency_key("leave-1");
  remove.set_worker_id(small);
  v1::RemoveWorkerResponse removed;
  ASSERT_TRUE(casework_->RemoveWorker(remove, removed, {}).ok());
  EXPECT_EQ(removed.households_handed_over(), 1);
  EXPECT_EQ(removed.households_unassigned(), 0);
  const v1::Case c = Case();
  EXPECT_EQ(c.worker_id(), big);
  EXPECT_EQ(c.tasks(c.tasks_size() - 1).kind(), v1::TASK_KIND_INTRODUCE_NEW_WORKER);
  v1::GetWorkerRequest get;
  get.set_worker_id(small);
  v1::GetWorkerResponse worker;
  EXPECT_EQ(casework_->GetWorker(get, worker, {}).code(), absl::StatusCode::kNotFound);
  get.set_worker_id(big);
  ASSERT_TRUE(casework_->GetWorker(get, worker, {}).ok());
  EXPECT_EQ(worker.persons(), 3);
  EXPECT_EQ(worker.households(), 2);

  // The last one leaves: the households wait, and say why.
  remove.set_idempotency_key("leave-2");
  remove.set_worker_id(big);
  ASSERT_TRUE(casework_->RemoveWorker(remove, removed, {}).ok());
  EXPECT_EQ(removed.households_unassigned(), 2);
  EXPECT_EQ(Case().why_none(), "no fsa worker in Riesa");
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons_unassigned(), 3);
}

TEST_F(CaseworkServiceTest, AWorkerMovedToAnotherAreaHandsTheirHouseholdsToThatAreasOthers) {
  const std::string moving = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_EQ(Case().worker_id(), moving);
  const std::string staying = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w2");
  EXPECT_EQ(Case().worker_id(), moving) << "a new colleague takes nothing from anyone";

  v1::UpsertWorkerRequest r;
  r.set_idempotency_key("w1-moves");
  r.mutable_worker()->set_worker_id(moving);
  r.mutable_worker()->set_program(v1::PROGRAM_REFUGEE_SOCIAL_WORK);
  r.mutable_worker()->set_social_area("Großenhain");
  r.mutable_worker()->set_capacity(150);
  v1::UpsertWorkerResponse moved;
  ASSERT_TRUE(casework_->UpsertWorker(r, moved, {}).ok());
  EXPECT_EQ(moved.households_handed_over(), 1);
  EXPECT_EQ(moved.worker().social_area(), "Großenhain");
  EXPECT_EQ(Case().worker_id(), staying);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Großenhain").persons(), 0);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons(), 2);

  // A change of capacity alone hands over nothing.
  r.set_idempotency_key("w2-hours");
  r.mutable_worker()->set_worker_id(staying);
  r.mutable_worker()->set_social_area("Riesa");
  r.mutable_worker()->set_capacity(75);
  ASSERT_TRUE(casework_->UpsertWorker(r, moved, {}).ok());
  EXPECT_EQ(moved.households_handed_over(), 0);
  EXPECT_EQ(Case().worker_id(), staying);
}

TEST_F(CaseworkServiceTest, AClosedCaseOrAnErasedLastMemberEndsTheCaseAndItsTasks) {
  const std::string fsa = AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  ASSERT_TRUE(Register("ev-1").ok());
  rv1::PersonErased erased;
  erased.set_person_id(kSon);
  erased.set_household_id(kFamily);
  ASSERT_TRUE(casework_->ApplyRegistryEvent(Event("ev-2", erased)).ok());
  EXPECT_EQ(Case().persons(), 1);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons(), 1);
  // The registry's stream replayed later (its inbox records expired): the registration does not bring him back.
  const auto inbox = pool_->Command({"KEYS", "ankommen:casework:*inbox*"});
  ASSERT_TRUE(inbox.ok());
  ASSERT_FALSE(inbox->elements.empty());
  for (const auto& key : inbox->elements) ASSERT_TRUE(pool_->Command({"DEL", key.str}).ok());
  ASSERT_TRUE(Register("ev-1").ok());
  EXPECT_EQ(Case().persons(), 1);
  const auto stored = pool_->Command({"HGET", store_->HouseholdKey(kFamily), "data"});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->str.find(kSon), std::string::npos) << "his id is gone from the case";

  rv1::HouseholdCaseClosed closed;
  closed.set_household_id(kFamily);
  closed.add_person_ids(kMother);
  ASSERT_TRUE(casework_->ApplyRegistryEvent(Event("ev-3", closed)).ok());
  const v1::Case c = Case();
  EXPECT_TRUE(c.closed());
  EXPECT_TRUE(c.worker_id().empty());
  EXPECT_THAT(TaskKinds(c), ElementsAre("TASK_KIND_INTRODUCE_NEW_WORKER/TASK_STATUS_DROPPED"));
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").persons(), 0);
  EXPECT_EQ(Caseload(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa").households_unassigned(), 0);
  const auto events = Assigned();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].persons(), 1) << "the caseload counts persons: a smaller household is said";
  EXPECT_EQ(events[1].worker_id(), fsa);
  EXPECT_TRUE(events[2].ended());
  EXPECT_EQ(events[2].previous_worker_id(), fsa);

  // A later event does not reopen it.
  ASSERT_TRUE(MovedIn("ev-4", hv1::KIND_SHARED).ok());
  EXPECT_FALSE(Case().in_shared_accommodation());
}

TEST_F(CaseworkServiceTest, ARedeliveredEventChangesNothing) {
  AddWorker(v1::PROGRAM_REFUGEE_SOCIAL_WORK, "Riesa", 150, "w1");
  AddWorker(v1::PROGRAM_MIGRATION_COUNSELLING, "Riesa", 150, "w2");
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_TRUE(Protect("ev-2", kMother).ok());
  const v1::Case once = Case();
  auto version = pool_->Command({"HGET", store_->HouseholdKey(kFamily), "v"});
  ASSERT_TRUE(Register("ev-1").ok());
  ASSERT_TRUE(Protect("ev-2", kMother).ok());
  auto again = pool_->Command({"HGET", store_->HouseholdKey(kFamily), "v"});
  EXPECT_EQ(version->str, again->str);
  EXPECT_EQ(Case().tasks_size(), once.tasks_size()) << "no second Jobcenter task";
  EXPECT_EQ(Assigned().size(), 1u);
}

TEST_F(CaseworkServiceTest, TheStaffListIsImportedRowByRowWithEachBadRowNamed) {
  v1::ImportWorkersRequest r;
  r.set_idempotency_key("staff-2027");
  r.set_csv(
      "program,social_area,capacity,display_name\n"
      "fsa,Riesa,150,Frau Lehmann\n"
      "mbe,Riesa,75,Herr Schulz\n"
      "asb,Riesa,150,Frau Weber\n"
      "jmd,,150,Herr Wagner\n"
      "jmd,Meißen,0,Frau Koch\n"
      "jmd,Meißen,a lot,Frau Richter\n");
  v1::ImportWorkersResponse out;
  ASSERT_TRUE(casework_->ImportWorkers(r, out, {}).ok());
  EXPECT_EQ(out.imported(), 2);
  ASSERT_EQ(out.rejected_size(), 4);
  EXPECT_EQ(out.rejected(0).line(), 4);
  EXPECT_THAT(out.rejected(0).reason(), HasSubstr("program: 'asb'"));
  EXPECT_EQ(out.rejected(1).line(), 5);
  EXPECT_THAT(out.rejected(1).reason(), HasSubstr("social_area: is required"));
  EXPECT_EQ(out.rejected(2).line(), 6);
  EXPECT_THAT(out.rejected(2).reason(), HasSubstr("capacity: must be 1 to 1000"));
  EXPECT_EQ(out.rejected(3).line(), 7);
  EXPECT_THAT(out.rejected(3).reason(), HasSubstr("capacity: 'a lot' is no number"));
  auto workers = store_->LoadWorkers();
  ASSERT_TRUE(workers.ok());
  EXPECT_EQ(workers->size(), 2u) << "the bad rows wrote nothing";

  // The same import again (a retry) adds no one.
  v1::ImportWorkersResponse retried;
  ASSERT_TRUE(casework_->ImportWorkers(r, retried, {}).ok());
  EXPECT_EQ(retried.worker_ids(0), out.worker_ids(0));
  EXPECT_EQ(store_->LoadWorkers()->size(), 2u);

  // A header without a column refuses the whole list.
  r.set_idempotency_key("staff-2028");
  r.set_csv("program,social_area\nfsa,Riesa\n");
  v1::ImportWorkersResponse refused;
  ASSERT_TRUE(casework_->ImportWorkers(r, refused, {}).ok());
  EXPECT_EQ(refused.imported(), 0);
  EXPECT_THAT(refused.rejected(0).reason(), HasSubstr("no column capacity"));
  EXPECT_EQ(store_->LoadWorkers()->size(), 2u);
}

TEST_F(CaseworkServiceTest, BadRequestsAreRefusedAndChangeNothing) {
  v1::UpsertWorkerRequest r;
  r.set_idempotency_key("w1");
  r.mutable_worker()->set_capacity(-1);
  v1::UpsertWorkerResponse out;
  const absl::Status s = casework_->UpsertWorker(r, out, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("worker.program"));
  EXPECT_THAT(s.message(), HasSubstr("worker.social_area"));
  EXPECT_THAT(s.message(), HasSubstr("worker.capacity"));
  EXPECT_TRUE(store_->LoadWorkers()->empty());

  r.mutable_worker()->set_worker_id("wrk_nope");
  EXPECT_EQ(casework_->UpsertWorker(r, out, {}).code(), absl::StatusCode::kInvalidArgument);
  v1::GetCaseRequest get;
  get.set_household_id("Haddad");
  v1::GetCaseResponse c;
  EXPECT_EQ(casework_->GetCase(get, c, {}).code(), absl::StatusCode::kInvalidArgument);
  get.set_household_id(kFamily);
  EXPECT_EQ(casework_->GetCase(get, c, {}).code(), absl::StatusCode::kNotFound);
  v1::CompleteTaskRequest done;
  done.set_idempotency_key("d");
  done.set_household_id(kFamily);
  v1::CompleteTaskResponse completed;
  EXPECT_EQ(casework_->CompleteTask(done, completed, {}).code(), absl::StatusCode::kInvalidArgument);

  // An event with a household id that is none is refused (dead-lettered), writing nothing.
  rv1::HouseholdRegistered bad;
  bad.set_household_id("hh_1");
  EXPECT_EQ(casework_->ApplyRegistryEvent(Event("ev-x", bad)).code(), absl::StatusCode::kInvalidArgument);
  auto keys = pool_->Command({"KEYS", "ankommen:casework:*household*"});
  EXPECT_TRUE(keys->elements.empty());
}

}  // namespace
}  // namespace ankommen::casework
