// The course service as it ships, beside the registry, with real nats-server
// and redis-server: households reach the waiting list by the registry's
// events alone, allocation makes offers, answers become enrolments or go to
// the next person, completion comes back to the registry as a level, the seat
// invariant holds under concurrent accepts, and bad input changes nothing
// (the rules of § 44/44a: course_law_e2e_test.cpp).
#include "e2e/courses/courses_fixture.h"

namespace ankommen {
namespace {

using namespace courses_e2e;

TEST_F(CoursesE2ETest, ARegisteredHouseholdReachesTheRightWaitingListByItsEventsAlone) {
  auto req = testing::SampleRegistration("hh-1");
  req.mutable_household()->mutable_members(0)->set_residence_status(rv1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  req.mutable_household()->mutable_members(0)->set_stay_prospect(rv1::STAY_PROSPECT_UNCLEAR);
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &registered).ok());
  const std::string adult = registered.household().members(0).person_id();
  const std::string child = registered.household().members(1).person_id();

  auto waiting = WaitForRequest(adult, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->course_type(), cv1::COURSE_TYPE_FIRST_ORIENTATION);
  EXPECT_EQ(waiting->place_in_line(), 1);
  EXPECT_FALSE(Learner(child).has_value()) << "children go to school, not to these courses";

  // Protection granted: the first-orientation wait ends, the integration course wait begins.
  rv1::ChangeResidenceStatusRequest change;
  change.set_idempotency_key("status-1");
  change.set_person_id(adult);
  change.set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  change.set_benefit_regime(rv1::BENEFIT_REGIME_SGB_II);
  rv1::ChangeResidenceStatusResponse changed;
  auto s = registry_stub_->ChangeResidenceStatus(Ctx().get(), change, &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(WaitUntil([&] {
    auto l = Learner(adult);
    return l && l->requests_size() == 2 && l->requests(1).course_type() == cv1::COURSE_TYPE_INTEGRATION_GENERAL;
  }));
  auto l = Learner(adult);
  EXPECT_EQ(l->requests(0).status(), cv1::REQUEST_STATUS_WITHDRAWN);
  EXPECT_EQ(l->requests(1).status(), cv1::REQUEST_STATUS_WAITING);

  cv1::ListWaitingListRequest list;
  list.set_course_type(cv1::COURSE_TYPE_INTEGRATION_GENERAL);
  list.set_social_area("Riesa");
  cv1::ListWaitingListResponse line;
  ASSERT_TRUE(stub_->ListWaitingList(Ctx().get(), list, &line).ok());
  ASSERT_EQ(line.total(), 1);
  EXPECT_EQ(line.requests(0).person_id(), adult);
}

TEST_F(CoursesE2ETest, AllocationOffersTheSeatsAndAcceptingEnrols) {
  const std::string a = RegisterAdult("hh-a");
  const std::string b = RegisterAdult("hh-b");
  ASSERT_TRUE(WaitForRequest(a, cv1::REQUEST_STATUS_WAITING));
  ASSERT_TRUE(WaitForRequest(b, cv1::REQUEST_STATUS_WAITING));
  // No seats yet: the estimate says so.
  auto still = WaitForRequest(a, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(still.has_value());
  EXPECT_TRUE(still->estimated_seat_date().empty());

  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 25);
  EXPECT_EQ(course.seats(), 25);
  // New seats wake the allocator: both get an offer.
  auto offer_a = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED);
  auto offer_b = WaitForRequest(b, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(offer_a && offer_b);
  EXPECT_EQ(offer_a->offer().course_id(), course.course_id());
  EXPECT_GT(offer_a->offer().deadline().seconds(), absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 6)));
  EXPECT_EQ(GetCourse(course.course_id()).offered(), 2);

  cv1::AcceptOfferResponse accepted;
  auto s = Accept(offer_a->offer().offer_id(), "accept-a", &accepted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(accepted.request().status(), cv1::REQUEST_STATUS_ENROLLED);
  EXPECT_EQ(accepted.request().course_id(), course.course_id());
  // The same call again: the same answer, nothing changes.
  ASSERT_TRUE(Accept(offer_a->offer().offer_id(), "accept-a").ok());
  // Another call accepting the same offer: refused.
  EXPECT_EQ(Accept(offer_a->offer().offer_id(), "accept-a-again").error_code(), grpc::FAILED_PRECONDITION);
  cv1::Course now = GetCourse(course.course_id());
  EXPECT_EQ(now.enrolled(), 1);
  EXPECT_EQ(now.offered(), 1);
  EXPECT_EQ(now.free_seats(), 23);

  // Planners see it in the metrics (refreshed after each allocation run and every 15 s).
  std::string metrics;
  ASSERT_TRUE(WaitUntil([&] {
    metrics = testing::HttpGet(courses_->metrics_port(), "/metrics");
    return metrics.find("ankommen_course_offers_total{course_type=\"integration_general\",outcome=\"accepted\"} 1") !=
           std::string::npos;
  }, absl::Seconds(5))) << metrics;
  // BAMF's two waits, by the learner's area: registering with the provider (accepting) to the
  // start, and the request to the start — never shorter than the first.
  for (const char* wait : {"waiting_time", "access_time"}) {
    EXPECT_NE(metrics.find(absl::StrCat("ankommen_course_", wait,
                                        "_days_count{course_type=\"integration_general\",social_area=\"Riesa\"} 1")),
              std::string::npos) << wait;
  }
  auto sum_of = [&](const std::string& wait) {
    const std::string key = "ankommen_course_" + wait + "_days_sum{course_type=\"integration_general\",social_area=\"Riesa\"} ";
    const auto at = metrics.find(key);
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + key.size()));
  };
  EXPECT_GT(sum_of("waiting_time"), 0) << "the course starts on 11 January 2027";
  EXPECT_GE(sum_of("access_time"), sum_of("waiting_time"));
  EXPECT_NE(metrics.find("ankommen_course_wait_target_days 42"), std::string::npos);
  EXPECT_NE(metrics.find("ankommen_course_seats{course_type=\"integration_general\",social_area=\"Riesa\",state=\"offered\"}"),
            std::string::npos);
  EXPECT_EQ(metrics.find(a), std::string::npos) << "no person ids in metrics";
}

TEST_F(CoursesE2ETest, DecliningOffersTheSeatToTheNextPerson) {
  const std::string a = RegisterAdult("hh-first");
  const std::string b = RegisterAdult("hh-second");
  ASSERT_TRUE(WaitForRequest(a, cv1::REQUEST_STATUS_WAITING));
  ASSERT_TRUE(WaitForRequest(b, cv1::REQUEST_STATUS_WAITING));

  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 1);
  ASSERT_TRUE(WaitUntil([&] { return GetCourse(course.course_id()).offered() == 1; }));
  // The one seat went to one of them (same day: the line's tie-break decides).
  auto offer_a = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED, absl::ZeroDuration());
  const std::string first = offer_a ? a : b;
  const std::string second = offer_a ? b : a;
  auto offer = offer_a ? offer_a : WaitForRequest(b, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(offer.has_value());
  auto in_line = WaitForRequest(second, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(in_line.has_value());  // a wait that timed out must fail the test, not crash it
  EXPECT_EQ(in_line->place_in_line(), 1);

  auto s = Decline(offer->offer().offer_id(), "decline-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto next = WaitForRequest(second, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(next.has_value()) << "the declined seat goes to the next person";
  EXPECT_EQ(next->offer().course_id(), course.course_id());
  // The first person is back in line where they stood, and not offered this course again.
  auto back = WaitForRequest(first, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->requested_on(), offer->requested_on());
  EXPECT_THAT(back->passed_course_ids(), ::testing::ElementsAre(course.course_id()));
  EXPECT_EQ(Accept(offer->offer().offer_id(), "late-accept").error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(GetCourse(course.course_id()).offered(), 1);
}

TEST_F(CoursesE2ETest, CompletionComesBackToTheRegistryAsTheReachedLevel) {
  const std::string person = RegisterAdult("hh-c");
  ASSERT_TRUE(WaitForRequest(person, cv1::REQUEST_STATUS_WAITING));
  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 20);
  auto offer = WaitForRequest(person, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(Accept(offer->offer().offer_id(), "accept-c").ok());

  // Job language needs B1 first.
  cv1::RequestSeatRequest job;
  job.set_idempotency_key("job-1");
  job.set_person_id(person);
  job.set_course_type(cv1::COURSE_TYPE_JOB_LANGUAGE);
  cv1::RequestSeatResponse job_resp;
  EXPECT_EQ(stub_->RequestSeat(Ctx().get(), job, &job_resp).error_code(), grpc::FAILED_PRECONDITION);

  cv1::CompleteCourseResponse completed;
  auto s = StartAndComplete(course.course_id(), person, "B1", "c", &completed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(completed.course().status(), cv1::COURSE_STATUS_COMPLETED);

  // The registry consumes the completion and records the level.
  ASSERT_TRUE(WaitUntil([&] { return RegistryLevelIs(person, "B1"); })) << "the registry never recorded B1";
  auto done = WaitForRequest(person, cv1::REQUEST_STATUS_COMPLETED);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->reached_level(), "B1");
  // The registry's level event comes back: job-language courses are open now.
  job.set_idempotency_key("job-2");
  ASSERT_TRUE(WaitUntil([&] { return stub_->RequestSeat(Ctx().get(), job, &job_resp).ok(); }));
  EXPECT_EQ(job_resp.request().course_type(), cv1::COURSE_TYPE_JOB_LANGUAGE);
}

TEST_F(CoursesE2ETest, SixtyFourConcurrentAcceptsNeverEnrolMoreThanTheSeats) {
  // Forty people ask for a volunteer course of forty seats and all get offers.
  constexpr int kPeople = 40;
  std::vector<std::string> people;
  for (int i = 0; i < kPeople; ++i) people.push_back(RegisterAdult("hh-many-" + std::to_string(i)));
  for (const auto& p : people) ASSERT_TRUE(WaitForRequest(p, cv1::REQUEST_STATUS_WAITING)) << p;
  for (int i = 0; i < kPeople; ++i) {
    cv1::RequestSeatRequest req;
    req.set_idempotency_key("volunteer-" + std::to_string(i));
    req.set_person_id(people[static_cast<size_t>(i)]);
    req.set_course_type(cv1::COURSE_TYPE_VOLUNTEER);
    cv1::RequestSeatResponse resp;
    auto s = stub_->RequestSeat(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_VOLUNTEER, 40);
  ASSERT_TRUE(WaitUntil([&] { return GetCourse(course.course_id()).offered() == kPeople; }));
  std::vector<std::string> offers;
  for (const auto& p : people) {
    auto l = Learner(p);
    for (const auto& r : l->requests()) {
      if (r.course_type() == cv1::COURSE_TYPE_VOLUNTEER) offers.push_back(r.offer().offer_id());
    }
  }
  ASSERT_EQ(offers.size(), static_cast<size_t>(kPeople));

  // The provider has only 25 seats after all.
  cv1::UpdateCourseRequest cut;
  cut.set_idempotency_key("cut");
  cut.set_course_id(course.course_id());
  cut.set_seats(25);
  cv1::UpdateCourseResponse cut_resp;
  EXPECT_EQ(stub_->UpdateCourse(Ctx().get(), cut, &cut_resp).error_code(), grpc::FAILED_PRECONDITION)
      << "seats never drop below what is offered unless offers are withdrawn";
  cut.set_idempotency_key("cut-withdraw");
  cut.set_withdraw_excess_offers(true);
  auto s = stub_->UpdateCourse(Ctx().get(), cut, &cut_resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cut_resp.offers_withdrawn(), 15);

  // 64 concurrent accepts over all forty offers (some twice).
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&, i] {
      auto st = Accept(offers[static_cast<size_t>(i % kPeople)], "concurrent-" + std::to_string(i));
      if (st.ok()) ++ok;
      else if (st.error_code() == grpc::FAILED_PRECONDITION) ++refused;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  cv1::Course after = GetCourse(course.course_id());
  EXPECT_EQ(after.seats(), 25);
  EXPECT_EQ(after.enrolled(), 25);
  EXPECT_EQ(after.offered(), 0);
  EXPECT_EQ(ok.load(), 25);
  EXPECT_EQ(refused.load(), 64 - 25);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(CoursesE2ETest, CancellingACoursePutsItsPeopleBackWhereTheyStood) {
  const std::string a = RegisterAdult("hh-x");
  auto waiting = WaitForRequest(a, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(waiting.has_value());
  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 10);
  auto offer = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(offer.has_value());
  ASSERT_TRUE(Accept(offer->offer().offer_id(), "accept-x").ok());

  cv1::CancelCourseRequest cancel;
  cancel.set_idempotency_key("cancel-x");
  cancel.set_course_id(course.course_id());
  cancel.set_reason("the teacher fell ill");
  cv1::CancelCourseResponse cancelled;
  auto s = stub_->CancelCourse(Ctx().get(), cancel, &cancelled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cancelled.returned_to_waiting_list(), 1);
  EXPECT_EQ(cancelled.course().status(), cv1::COURSE_STATUS_CANCELLED);
  auto back = WaitForRequest(a, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->requested_on(), waiting->requested_on());
  EXPECT_EQ(back->place_in_line(), 1);
  EXPECT_EQ(stub_->CancelCourse(Ctx().get(), [&] {
    auto again = cancel;
    again.set_idempotency_key("cancel-x-2");
    return again;
  }(), &cancelled).error_code(), grpc::FAILED_PRECONDITION);
}

TEST_F(CoursesE2ETest, BadInputGetsAClearStatusAndChangesNothing) {
  auto bad_type = CourseRequest(static_cast<cv1::CourseType>(99), 20);
  auto zero = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 0);
  auto huge = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 10'000);
  auto old = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 20);
  old.mutable_course()->set_start_date("1900-01-01");
  auto childcare = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_PARENTS, 20);
  childcare.mutable_course()->set_childcare_places(21);
  auto no_provider = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 20);
  no_provider.mutable_course()->set_provider_id("kt_0000000000000000");
  for (const auto* req : {&bad_type, &zero, &huge, &old, &childcare}) {
    cv1::CreateCourseResponse resp;
    auto s = stub_->CreateCourse(Ctx().get(), *req, &resp);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << req->DebugString();
    EXPECT_THAT(s.error_message(), ::testing::HasSubstr("course."));
  }
  cv1::CreateCourseResponse resp;
  EXPECT_EQ(stub_->CreateCourse(Ctx().get(), no_provider, &resp).error_code(), grpc::NOT_FOUND);
  cv1::ListCoursesRequest list;
  cv1::ListCoursesResponse listed;
  ASSERT_TRUE(stub_->ListCourses(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.courses_size(), 0) << "nothing was created";

  cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 20);
  cv1::UpdateCourseRequest update;
  update.set_idempotency_key("u1");
  update.set_course_id(course.course_id());
  update.set_seats(10'000);
  cv1::UpdateCourseResponse updated;
  EXPECT_EQ(stub_->UpdateCourse(Ctx().get(), update, &updated).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(GetCourse(course.course_id()).seats(), 20);
  EXPECT_EQ(Accept("of_0000000000000000", "a1").error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Accept("not-an-offer", "a2").error_code(), grpc::INVALID_ARGUMENT);
  cv1::RequestSeatRequest unknown;
  unknown.set_idempotency_key("r1");
  unknown.set_person_id("p_0000000000000000");
  unknown.set_course_type(cv1::COURSE_TYPE_VOLUNTEER);
  cv1::RequestSeatResponse requested;
  EXPECT_EQ(stub_->RequestSeat(Ctx().get(), unknown, &requested).error_code(), grpc::NOT_FOUND);
  cv1::RunAllocationRequest run;
  run.set_policy("random");
  cv1::RunAllocationResponse ran;
  EXPECT_EQ(stub_->RunAllocation(Ctx().get(), run, &ran).error_code(), grpc::INVALID_ARGUMENT);
}

// Offers over days, on the simulated clock: near a course's start the answer
// is due the day before it; an offer left to lapse is made once more, with the
// full week to answer; a second lapse passes the course.
class CourseOffersOverTimeTest : public CoursesE2ETest {
 protected:
  // The district's time zone, as the services keep it (services/common/runtime/platform.cpp).
  static absl::TimeZone Zone() {
    absl::TimeZone zone;
    absl::LoadTimeZone("Europe/Berlin", &zone);
    return zone;
  }
  // A district that wants answers before a course starts sets a shorter
  // minimum than the week to answer (by default both are seven days).
  void SetUp() override { StartOn({{"ANKOMMEN_CLOCK", "simulated"}, {"ANKOMMEN_COURSES_MIN_ANSWER_DAYS", "3"}}); }
  void StartOn(std::map<std::string, std::string> env) {
    SetClock(absl::CivilSecond(2027, 1, 4, 8, 0, 0));  // a Monday
    StartServices(std::move(env));
  }
  void SetClock(absl::CivilSecond at) {
    auto redis = RedisPool::Connect(redis_.url(), 1);
    ASSERT_TRUE(redis.ok()) << redis.status();
    ASSERT_TRUE(SimulatedClock::Set(**redis, absl::FromCivil(at, Zone())).ok());
  }
  // The end of `day` in the district's time zone, as deadlines are given.
  static int64_t EndOf(absl::CivilDay day) {
    return absl::ToUnixSeconds(absl::FromCivil(day + 1, Zone())) - 1;
  }
  void RunAllocation() {
    cv1::RunAllocationResponse ran;
    auto s = stub_->RunAllocation(Ctx().get(), cv1::RunAllocationRequest(), &ran);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
};

TEST_F(CourseOffersOverTimeTest, NearTheStartTheAnswerIsDueTheDayBeforeALapsedOfferComesOnceMoreWithAWeek) {
  const std::string a = RegisterAdult("hh-lapse");
  ASSERT_TRUE(WaitForRequest(a, cv1::REQUEST_STATUS_WAITING));
  auto request = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 1);
  request.mutable_course()->set_start_date("2027-01-08");  // Friday
  cv1::CreateCourseResponse created;
  ASSERT_TRUE(stub_->CreateCourse(Ctx().get(), request, &created).ok());
  const std::string course = created.course().course_id();
  RunAllocation();  // on the simulated clock, runs happen only when called

  // Four days before the start: due Thursday, not in a week.
  auto first = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->offer().course_id(), course);
  EXPECT_EQ(first->offer().deadline().seconds(), EndOf(absl::CivilDay(2027, 1, 7)));

  // Unanswered: on the start day the seat is offered to the same person once
  // more, as a late entry — with the full week to answer, not the three days
  // of a first late offer (the short time is the likeliest reason it lapsed).
  SetClock(absl::CivilSecond(2027, 1, 8, 9, 0, 0));
  RunAllocation();
  std::optional<cv1::SeatRequest> second;
  ASSERT_TRUE(WaitUntil([&] {
    second = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED, absl::Seconds(1));
    return second && second->offer().offer_id() != first->offer().offer_id();
  }));
  EXPECT_EQ(second->offer().course_id(), course);
  EXPECT_EQ(second->offer().deadline().seconds(), EndOf(absl::CivilDay(2027, 1, 15)));
  EXPECT_THAT(second->lapsed_course_ids(), ::testing::ElementsAre(course));
  EXPECT_TRUE(second->passed_course_ids().empty());

  // A second lapse: that course is passed, the person waits for another.
  SetClock(absl::CivilSecond(2027, 1, 16, 9, 0, 0));
  RunAllocation();
  auto waiting = WaitForRequest(a, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(waiting);
  EXPECT_THAT(waiting->passed_course_ids(), ::testing::ElementsAre(course));
  RunAllocation();
  EXPECT_EQ(GetCourse(course).offered(), 0) << "not offered a third time";
  auto waits = WaitForRequest(a, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(waits.has_value());
  EXPECT_EQ(waits->status(), cv1::REQUEST_STATUS_WAITING);
}

class CourseOffersByDefaultTest : public CourseOffersOverTimeTest {
 protected:
  void SetUp() override { StartOn({{"ANKOMMEN_CLOCK", "simulated"}}); }
};

// By default an offer has the full week to answer however soon the course
// starts: who accepts after the start joins late (the access time counts to
// that day), where a deadline before the start lost those who answer slowly.
TEST_F(CourseOffersByDefaultTest, AnOfferNearTheStartHasTheFullWeekToAnswer) {
  const std::string a = RegisterAdult("hh-week");
  ASSERT_TRUE(WaitForRequest(a, cv1::REQUEST_STATUS_WAITING));
  auto request = CourseRequest(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 1);
  request.mutable_course()->set_start_date("2027-01-06");  // Wednesday, in two days
  cv1::CreateCourseResponse created;
  ASSERT_TRUE(stub_->CreateCourse(Ctx().get(), request, &created).ok());
  RunAllocation();
  auto offered = WaitForRequest(a, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(offered);
  EXPECT_EQ(offered->offer().deadline().seconds(), EndOf(absl::CivilDay(2027, 1, 11)));

  // Accepted on the Friday, after the start: enrolled, as a late entry.
  SetClock(absl::CivilSecond(2027, 1, 8, 18, 0, 0));
  cv1::AcceptOfferRequest accept;
  accept.set_idempotency_key("accept-week");
  accept.set_offer_id(offered->offer().offer_id());
  cv1::AcceptOfferResponse accepted;
  auto s = stub_->AcceptOffer(Ctx().get(), accept, &accepted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(accepted.request().status(), cv1::REQUEST_STATUS_ENROLLED);
}

}  // namespace
}  // namespace ankommen
