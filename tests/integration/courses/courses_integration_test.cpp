// The course service's use cases in-process against a real redis-server, on a
// clock the test moves: offer deadlines, the allocator's sweep and repair,
// the lease's fencing, and registry events applied once.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ankommen/courses/v1/events.pb.h"
#include "ankommen/registry/v1/events.pb.h"
#include "ankommen/schools/v1/events.pb.h"
#include "courses_fixture.h"
#include "domain/course_rules.h"
#include "store/ids.h"
#include "waiting_view.h"

namespace ankommen::courses {
namespace {

namespace sv1 = ::ankommen::schools::v1;

// A mother who asks for a parents' course, with a three- and a two-year-old
// (ids: mother, Kita child, child at home), in Riesa.
struct Family {
  std::string household = NewId("hh", 5), mother = NewId("p", 5), kita_child = NewId("p", 5),
              child_at_home = NewId("p", 5);
};

IncomingEvent KitaPlacedOf(const Family& f, const std::string& event_id) {
  sv1::KitaPlaced placed;
  placed.mutable_meta()->set_event_id(event_id);
  placed.set_person_id(f.kita_child);
  placed.set_household_id(f.household);
  return {"ankommen.schools.kita.placed", event_id, sv1::KitaPlaced::descriptor()->full_name(),
          placed.SerializeAsString()};
}

IncomingEvent RegisteredOf(const Family& f) {
  rv1::HouseholdRegistered e;
  e.mutable_meta()->set_event_id("ev-household");
  e.set_household_id(f.household);
  e.set_municipality_ags("14627230");
  e.set_social_area("Riesa");
  e.mutable_approx_location()->set_lat(51.31);
  e.mutable_approx_location()->set_lon(13.29);
  auto* m = e.add_members();
  m->set_person_id(f.mother);
  m->set_relation(rv1::RELATION_HEAD);
  m->set_age_years(30);
  m->set_cefr_level("A1");
  m->set_literate_latin(true);
  m->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  m->mutable_needs()->set_childcare(true);
  for (const auto& [id, age] : {std::pair{f.kita_child, 3}, std::pair{f.child_at_home, 2}}) {
    auto* c = e.add_members();
    c->set_person_id(id);
    c->set_relation(rv1::RELATION_CHILD);
    c->set_age_years(age);
  }
  return {"ankommen.registry.household.registered", "ev-household", rv1::HouseholdRegistered::descriptor()->full_name(),
          e.SerializeAsString()};
}

// The schools service can tell a Kita place before the course service has
// applied the registry's event of the household (two streams, two consumers):
// the parent's course request still needs no childcare for that child.
TEST_F(CoursesIntegrationTest, AKitaPlaceToldBeforeTheHouseholdStillEndsTheNeedForChildcare) {
  const Family f;
  ASSERT_TRUE(courses_->ApplySchoolsEvent(KitaPlacedOf(f, "ev-kita")).ok());
  ASSERT_TRUE(courses_->ApplyRegistryEvent(RegisteredOf(f)).ok());
  const v1::SeatRequest request = Request(f.mother);
  ASSERT_EQ(request.course_type(), v1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(request.childcare_children(), 1) << "only the child without a Kita place";
}

// What changes while a request holds an offer is caught up when it is back
// in line: here the childcare its children need after a Kita place.
TEST_F(CoursesIntegrationTest, ARequestBackInLineNeedsTheChildcareItsChildrenNeedNow) {
  const Family f;
  ASSERT_TRUE(courses_->ApplyRegistryEvent(RegisteredOf(f)).ok());
  ASSERT_EQ(Request(f.mother).childcare_children(), 2);
  Course(4, v1::COURSE_TYPE_INTEGRATION_PARENTS, /*childcare=*/4);
  ASSERT_TRUE(allocator_->RunOnce("").ok());
  const v1::SeatRequest offered = Request(f.mother);
  ASSERT_EQ(offered.status(), v1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(courses_->ApplySchoolsEvent(KitaPlacedOf(f, "ev-kita")).ok());
  EXPECT_EQ(Request(f.mother).childcare_children(), 2) << "the offer as it was made";
  ASSERT_TRUE(Answer(offered.offer().offer_id(), /*accept=*/false).ok());
  const v1::SeatRequest back = Request(f.mother);
  EXPECT_EQ(back.status(), v1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(back.course_type(), v1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(back.childcare_children(), 1) << "the child at home only";
}

TEST_F(CoursesIntegrationTest, ARedeliveredRegistryEventChangesNothingTwice) {
  const std::string person = Arrive("ev_1");
  const int64_t events = OutboxLength(3);
  ASSERT_TRUE(courses_->ApplyRegistryEvent(last_event_).ok());  // JetStream delivers again
  v1::GetLearnerRequest req;
  req.set_person_id(person);
  v1::GetLearnerResponse resp;
  ASSERT_TRUE(courses_->GetLearner(req, resp, {}).ok());
  EXPECT_EQ(resp.requests_size(), 1);
  EXPECT_EQ(OutboxLength(3), events) << "no second SeatRequested";
}

// A consumer's lane applied together gives what the events one by one give:
// a later event of a learner sees the earlier one, a redelivery changes
// nothing, a registration with young children reads its Kita places, an
// unreadable event fails alone.
TEST_F(CoursesIntegrationTest, ALanesEventsAppliedTogetherApplyAsOneByOne) {
  auto registered = [&](const std::string& event_id, const std::string& person) {
    rv1::HouseholdRegistered e;
    e.mutable_meta()->set_event_id(event_id);
    e.set_household_id(NewId("hh", 3));
    e.set_social_area("Riesa");
    auto* m = e.add_members();
    m->set_person_id(person);
    m->set_age_years(35);
    m->set_cefr_level("A1");
    m->set_literate_latin(true);
    m->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    return IncomingEvent{"ankommen.registry.household.registered", event_id,
                         rv1::HouseholdRegistered::descriptor()->full_name(), e.SerializeAsString()};
  };
  auto obliged = [&](const std::string& event_id, const std::string& person) {
    rv1::PersonObligationChanged e;
    e.mutable_meta()->set_event_id(event_id);
    e.set_person_id(person);
    e.set_obliged(true);
    return IncomingEvent{"ankommen.registry.person.obligation_changed", event_id,
                         rv1::PersonObligationChanged::descriptor()->full_name(), e.SerializeAsString()};
  };
  const std::string a = NewId("p", 3), b = NewId("p", 3), stranger = NewId("p", 3);
  const Family f;
  ASSERT_TRUE(courses_->ApplySchoolsEvent(KitaPlacedOf(f, "ev-kita")).ok());
  IncomingEvent unreadable = registered("ev-bad", NewId("p", 3));
  unreadable.payload = "\xff\xff";
  const std::vector<IncomingEvent> lane = {registered("ev-a", a), registered("ev-b", b), obliged("ev-a-obliged", a),
                                           RegisteredOf(f), registered("ev-a", a),  // delivered again
                                           unreadable, obliged("ev-stranger", stranger)};
  const auto statuses = courses_->ApplyRegistryEvents(lane);
  ASSERT_EQ(statuses.size(), lane.size());
  for (size_t i = 0; i < lane.size(); ++i) {
    if (lane[i].event_id == "ev-bad") {
      EXPECT_TRUE(absl::IsInvalidArgument(statuses[i])) << statuses[i];
    } else {
      EXPECT_TRUE(statuses[i].ok()) << lane[i].event_id << ": " << statuses[i];
    }
  }
  v1::GetLearnerRequest req;
  req.set_person_id(a);
  v1::GetLearnerResponse resp;
  ASSERT_TRUE(courses_->GetLearner(req, resp, {}).ok());
  ASSERT_EQ(resp.requests_size(), 1) << "one request, whatever is delivered again";
  EXPECT_TRUE(resp.requests(0).obliged()) << "the later event saw the registration";
  EXPECT_EQ(Request(b).status(), v1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(Request(f.mother).childcare_children(), 1) << "the Kita place read with the registration";
  req.set_person_id(stranger);
  EXPECT_FALSE(courses_->GetLearner(req, resp, {}).ok()) << "not followed: nothing made";
  EXPECT_EQ(testing::OutboxEvents<v1::SeatRequested>(*pool_, outbox_->keys()).size(), 3u)
      << "a, b and the mother asked once each";
}

TEST_F(CoursesIntegrationTest, AnOfferLapsesAtItsDeadlineAndTheSeatGoesToTheNextPerson) {
  const std::string first = Arrive("ev_a");
  clock_.Advance(absl::Hours(24));  // asked a day later: second in line
  const std::string second = Arrive("ev_b", 5);
  const std::string course = Course(1);
  auto run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->offers_made(), 1);
  EXPECT_EQ(run->waiting(), 2);
  v1::SeatRequest offered = Request(first);
  ASSERT_EQ(offered.status(), v1::REQUEST_STATUS_OFFERED);
  EXPECT_EQ(Request(second).place_in_line(), 1);
  // The deadline is the end of the seventh day.
  EXPECT_EQ(offered.offer().deadline().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 12, 2), absl::UTCTimeZone())) - 1);

  clock_.Advance(absl::Hours(24 * 8));
  v1::AcceptOfferRequest accept;
  accept.set_idempotency_key("late");
  accept.set_offer_id(offered.offer().offer_id());
  v1::AcceptOfferResponse accepted;
  auto late = courses_->AcceptOffer(accept, accepted, {});
  EXPECT_TRUE(absl::IsFailedPrecondition(late)) << late;
  EXPECT_NE(late.message().find("deadline"), std::string::npos);

  run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->offers_expired(), 1);
  EXPECT_EQ(run->offers_made(), 1);
  EXPECT_EQ(Request(second).status(), v1::REQUEST_STATUS_OFFERED);
  v1::SeatRequest back = Request(first);
  EXPECT_EQ(back.status(), v1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(back.requested_on(), "2026-11-23");
  EXPECT_EQ(back.place_in_line(), 1) << "back where they stood";
  // The lapsed course may come again, but only to a seat nobody else is given.
  EXPECT_THAT(back.lapsed_course_ids(), ::testing::ElementsAre(course));
  EXPECT_TRUE(back.passed_course_ids().empty());
}

TEST_F(CoursesIntegrationTest, TheSweepRepairsARequestThatMissedItsOffer) {
  const std::string person = Arrive("ev_r");
  const std::string course = Course(5);
  v1::SeatRequest waiting = Request(person);
  // A crash after the course took the offer and before the request followed.
  v1::Hold hold;
  hold.set_offer_id(NewId(kOfferIdPrefix, PartitionOfId(course)));
  hold.set_request_id(waiting.request_id());
  hold.set_person_id(person);
  hold.set_state(v1::Hold::STATE_OFFERED);
  hold.set_offered_at(absl::ToUnixSeconds(clock_.Now()));
  hold.set_deadline(absl::ToUnixSeconds(clock_.Now() + absl::Hours(24 * 7)));
  hold.set_requested_on(waiting.requested_on());
  auto loaded = store_->LoadCourse(course);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  v1::CourseRecord record = (*loaded)->record;
  *record.add_holds() = hold;
  Commit commit;
  commit.partition = PartitionOfId(course);
  commit.aggregate_key = store_->CourseKey(course);
  commit.expected_version = (*loaded)->version;
  commit.state = record.SerializeAsString();
  commit.index_ops = {IndexOp::Set(store_->OfferKey(hold.offer_id()), course)};
  ASSERT_TRUE(outbox_->Apply(commit).ok());
  ASSERT_EQ(Request(person).status(), v1::REQUEST_STATUS_WAITING);

  auto run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->offers_made(), 0) << "the person already has a seat";
  v1::SeatRequest repaired = Request(person);
  EXPECT_EQ(repaired.status(), v1::REQUEST_STATUS_OFFERED);
  EXPECT_EQ(repaired.offer().offer_id(), hold.offer_id());
}

TEST_F(CoursesIntegrationTest, OnlyOneAllocatorAtATimeAndAStaleOneCannotWrite) {
  Lease a(*pool_, outbox_->keys(), "allocation", "replica-a");
  Lease b(*pool_, outbox_->keys(), "allocation", "replica-b");
  auto token_a = a.Acquire(absl::Milliseconds(200));
  ASSERT_TRUE(token_a.ok() && token_a->has_value());
  auto blocked = b.Acquire(absl::Seconds(5));
  ASSERT_TRUE(blocked.ok());
  EXPECT_FALSE(blocked->has_value()) << "held by a";
  auto renewed = a.Acquire(absl::Milliseconds(200));
  EXPECT_EQ(**renewed, **token_a) << "renewing keeps the token";
  absl::SleepFor(absl::Milliseconds(300));  // a pauses past its lease
  auto token_b = b.Acquire(absl::Seconds(5));
  ASSERT_TRUE(token_b.ok() && token_b->has_value());
  EXPECT_GT(**token_b, **token_a);

  // A course written by a newer allocator refuses an older one.
  Arrive("ev_f");
  const std::string course = Course(5);
  auto loaded = store_->LoadCourse(course);
  v1::CourseRecord record = (*loaded)->record;
  record.set_fence(1'000'000);
  Commit commit;
  commit.partition = PartitionOfId(course);
  commit.aggregate_key = store_->CourseKey(course);
  commit.expected_version = (*loaded)->version;
  commit.state = record.SerializeAsString();
  ASSERT_TRUE(outbox_->Apply(commit).ok());
  ASSERT_TRUE(b.Release().ok());
  auto run = allocator_->RunOnce("");
  EXPECT_TRUE(absl::IsAborted(run.status())) << run.status();
  EXPECT_EQ(View((*store_->LoadCourse(course))->record).offered(), 0);
}

TEST_F(CoursesIntegrationTest, FirstComeFirstServedIsASelectablePolicy) {
  Arrive("ev_p");
  Course(3);
  auto run = allocator_->RunOnce("fcfs");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->solver(), "fcfs");
  EXPECT_EQ(run->offers_made(), 1);
  EXPECT_TRUE(absl::IsInvalidArgument(allocator_->RunOnce("lottery").status()));
}

TEST_F(CoursesIntegrationTest, OffersAreSizedByTheAcceptanceSeenAndTheLastSeatWithdrawsTheRest) {
  // Ten people are offered a course of ten seats: two take it, eight decline.
  std::vector<std::string> people;
  for (int i = 0; i < 10; ++i) people.push_back(Arrive("ev_o" + std::to_string(i), i));
  Course(10);
  auto run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->offers_made(), 10);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Answer(Request(people[i]).offer().offer_id(), i < 2).ok());

  // Acceptance seen: (2 + 10) of (10 + 10) = 0.6, so a course of two seats
  // carries 2 / 0.6 = 3.3, i.e. three offers. The first-come list makes two.
  const std::string next = Course(2);
  run = allocator_->RunOnce("fcfs");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->offers_made(), 2);
  run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->offers_made(), 1);
  std::vector<std::string> offered;
  for (int i = 2; i < 10; ++i) {
    if (Request(people[i]).offer().course_id() == next) offered.push_back(people[i]);
  }
  ASSERT_EQ(offered.size(), 3u);
  EXPECT_EQ(View((*store_->LoadCourse(next))->record).offered(), 3);

  // Two accept: the second takes the last seat and the third offer goes with it.
  const std::string late_offer = Request(offered[2]).offer().offer_id();
  ASSERT_TRUE(Answer(Request(offered[0]).offer().offer_id(), true).ok());
  EXPECT_EQ(Request(offered[2]).status(), v1::REQUEST_STATUS_OFFERED) << "a seat is still free";
  ASSERT_TRUE(Answer(Request(offered[1]).offer().offer_id(), true).ok());
  const v1::Course course = View((*store_->LoadCourse(next))->record);
  EXPECT_EQ(course.enrolled(), 2);
  EXPECT_EQ(course.offered(), 0);

  // Its person waits again where they stood, with nothing passed, and is told why.
  const v1::SeatRequest back = Request(offered[2]);
  EXPECT_EQ(back.status(), v1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(back.requested_on(), "2026-11-23");
  EXPECT_THAT(back.passed_course_ids(), ::testing::Not(::testing::Contains(next)));
  EXPECT_THAT(back.lapsed_course_ids(), ::testing::Not(::testing::Contains(next)));
  auto answered = Answer(late_offer, true);
  EXPECT_TRUE(absl::IsFailedPrecondition(answered)) << answered;
  int full = 0;
  for (const auto& e : ClosedOffers()) {
    if (e.withdrawal_reason() != v1::WITHDRAWAL_REASON_COURSE_FULL) continue;
    ++full;
    EXPECT_EQ(e.offer_id(), late_offer);
    EXPECT_EQ(e.outcome(), v1::OFFER_OUTCOME_WITHDRAWN);
  }
  EXPECT_EQ(full, 1);
  // The answers are counted on the courses: 2 + 2 taken, 8 not.
  EXPECT_EQ((*store_->LoadCourse(next))->record.offers_accepted(), 2);
}

// The place in line a person is told is counted in Redis's line index
// (O(log n)); it must be the place the whole waiting view gives, through
// arrivals on different days and in different partitions, obligations,
// offers, a decline back into line, a move to another area and an erasure —
// and the index holds nothing else. A store without the index (written by a
// release before it) gets it from BuildLines, to the same places.
TEST_F(CoursesIntegrationTest, ThePlaceInLineFromTheLineIndexIsTheWaitingViewsPlace) {
  auto arrive = [&](int n, const std::string& area, bool obliged) {
    rv1::HouseholdRegistered e;
    const std::string event_id = "ev_line_" + std::to_string(n);
    e.mutable_meta()->set_event_id(event_id);
    e.set_household_id(NewId("hh", n % kPartitions));
    e.set_municipality_ags("14627230");
    e.set_social_area(area);
    e.mutable_approx_location()->set_lat(51.31);
    e.mutable_approx_location()->set_lon(13.29);
    auto* m = e.add_members();
    m->set_person_id(NewId("p", n % kPartitions));
    m->set_age_years(20 + n % 30);
    m->set_cefr_level("A1");
    m->set_literate_latin(n % 5 != 0);  // some need the literacy course
    m->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
    m->set_obliged(obliged);
    IncomingEvent event{"ankommen.registry.household.registered", event_id,
                        rv1::HouseholdRegistered::descriptor()->full_name(), e.SerializeAsString()};
    EXPECT_TRUE(courses_->ApplyRegistryEvent(event).ok());
    return std::pair{e.household_id(), m->person_id()};
  };
  auto expect_lines_match_the_view = [&](const std::string& when) {
    const absl::CivilDay today = absl::ToCivilDay(clock_.Now(), absl::UTCTimeZone());
    auto view = WaitingView::Load(*store_, today);
    ASSERT_TRUE(view.ok()) << view.status();
    auto learners = store_->LoadActiveLearners();
    ASSERT_TRUE(learners.ok()) << learners.status();
    int waiting = 0, estimated = 0;
    for (const auto& l : *learners) {
      for (const auto& r : l.record.requests()) {
        if (r.status() != v1::REQUEST_STATUS_WAITING) continue;
        ++waiting;
        v1::SeatRequest whole = r, indexed = r;
        view->Annotate(whole);
        ASSERT_TRUE(AnnotateFromLines(*store_, l.record.social_area(), today, indexed).ok());
        EXPECT_EQ(indexed.place_in_line(), whole.place_in_line()) << when << ": " << r.request_id();
        EXPECT_EQ(indexed.estimated_seat_date(), whole.estimated_seat_date()) << when << ": " << r.request_id();
        estimated += whole.estimated_seat_date().empty() ? 0 : 1;
      }
    }
    long long indexed = 0;
    for (const auto& key : redis_.Keys("ankommen:courses:*:line:*")) indexed += pool_->Command({"ZCARD", key})->integer;
    EXPECT_EQ(indexed, waiting) << when << ": every waiting request once, nothing else";
    EXPECT_GT(waiting, 20) << when;
    EXPECT_GT(estimated, 0) << when;
    // The gauges' summary of the lines is the whole view's.
    auto summary = store_->SummariseLines();
    ASSERT_TRUE(summary.ok()) << summary.status();
    int counted = 0;
    for (const auto& [line, s] : *summary) counted += s.waiting;
    EXPECT_EQ(counted, waiting) << when;
    const auto stats = view->Stats();
    EXPECT_EQ(summary->size(), stats.size()) << when;
    for (const auto& [line, s] : stats) {
      ASSERT_TRUE(summary->contains(line)) << when << ": " << line.second;
      EXPECT_EQ(summary->at(line).waiting, s.waiting) << when << ": " << line.second;
      EXPECT_EQ(today - summary->at(line).oldest, s.oldest_days) << when << ": " << line.second;
    }

    // The allocation reads the waiting learners, its sweep the holding ones: exactly those.
    std::set<std::string> waiting_people, holding_people;
    for (const auto& l : *learners) {
      for (const auto& r : l.record.requests()) {
        if (r.status() == v1::REQUEST_STATUS_WAITING) waiting_people.insert(l.record.person_id());
        if (r.status() == v1::REQUEST_STATUS_OFFERED || r.status() == v1::REQUEST_STATUS_ENROLLED) {
          holding_people.insert(l.record.person_id());
        }
      }
    }
    auto ids = [](const absl::StatusOr<std::vector<LoadedLearner>>& loaded) {
      std::set<std::string> out;
      for (const auto& l : *loaded) out.insert(l.record.person_id());
      return out;
    };
    auto waiting_loaded = store_->LoadWaitingLearners();
    auto holding_loaded = store_->LoadHoldingLearners();
    ASSERT_TRUE(waiting_loaded.ok() && holding_loaded.ok());
    EXPECT_EQ(ids(waiting_loaded), waiting_people) << when;
    EXPECT_EQ(ids(holding_loaded), holding_people) << when;
  };

  std::vector<std::pair<std::string, std::string>> arrived;
  for (int n = 0; n < 60; ++n) {
    arrived.push_back(arrive(n, n % 3 == 0 ? "Meißen" : "Riesa", n % 7 == 0));
    if (n % 10 == 9) clock_.Advance(absl::Hours(24));
  }
  Course(6);
  Course(4, v1::COURSE_TYPE_INTEGRATION_ALPHA);
  expect_lines_match_the_view("after the arrivals");

  auto run = allocator_->RunOnce("");
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_GT(run->offers_made(), 2);
  int declined = 0;
  for (const auto& [household, person] : arrived) {
    const v1::SeatRequest r = Request(person);
    if (r.status() != v1::REQUEST_STATUS_OFFERED || declined == 2) continue;
    ASSERT_TRUE(Answer(r.offer().offer_id(), false).ok());
    ++declined;
  }
  ASSERT_EQ(declined, 2);
  // Three households move to Meißen, one person is erased.
  for (int i = 1; i <= 3; ++i) {
    rv1::HouseholdRelocated moved;
    moved.mutable_meta()->set_event_id("ev_move_" + std::to_string(i));
    moved.set_household_id(arrived[static_cast<size_t>(i)].first);
    moved.set_municipality_ags("14627170");
    moved.set_social_area("Meißen");
    ASSERT_TRUE(courses_->ApplyRegistryEvent({"ankommen.registry.household.relocated", moved.meta().event_id(),
                                              rv1::HouseholdRelocated::descriptor()->full_name(),
                                              moved.SerializeAsString()}).ok());
  }
  rv1::PersonErased erased;
  erased.mutable_meta()->set_event_id("ev_erase");
  erased.set_person_id(arrived[4].second);
  erased.set_household_id(arrived[4].first);
  ASSERT_TRUE(courses_->ApplyRegistryEvent({"ankommen.registry.person.erased", "ev_erase",
                                            rv1::PersonErased::descriptor()->full_name(), erased.SerializeAsString()}).ok());
  expect_lines_match_the_view("after offers, declines, moves and an erasure");

  ASSERT_GT(run->offers_made() - 2, 0) << "someone still holds an offer";
  // A store from before the index: the lines, the sets, the courses' index and the marks gone.
  for (const auto& pattern : {"ankommen:courses:*:line:*", "ankommen:courses:*:lines", "ankommen:courses:*:waiting",
                              "ankommen:courses:*:holding", "ankommen:courses:*:courses-of:*",
                              "ankommen:courses:*:lines-built*"}) {
    for (const auto& key : redis_.Keys(pattern)) ASSERT_TRUE(pool_->Command({"DEL", key}).ok());
  }
  auto built = store_->BuildLines();
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_GT(*built, 20);
  expect_lines_match_the_view("after the index was built");
  built = store_->BuildLines();
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(*built, 0) << "built once";

  // An older replica's commits during a rolling update keep `active` only: a
  // waiting learner missing from `waiting`, one marked holding that holds
  // nothing. The check the allocator's sweep makes now and then finds and
  // indexes them again.
  auto waiting_now = store_->LoadWaitingLearners();
  ASSERT_TRUE(waiting_now.ok() && waiting_now->size() >= 2);
  const std::string missed = (*waiting_now)[0].record.person_id(), stale = (*waiting_now)[1].record.person_id();
  ASSERT_TRUE(pool_->Command({"ZREM", store_->WaitingKey(PartitionOfId(missed)), missed}).ok());
  ASSERT_TRUE(pool_->Command({"ZADD", store_->HoldingKey(PartitionOfId(stale)), "0", stale}).ok());
  auto repaired = store_->RepairSets();
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_EQ(*repaired, 2);
  expect_lines_match_the_view("after the sets were repaired");
  auto again = store_->RepairSets();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0) << "nothing left to repair";
}

}  // namespace
}  // namespace ankommen::courses
