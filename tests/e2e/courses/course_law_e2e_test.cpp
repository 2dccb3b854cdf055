// The course rules of § 44 and § 44a AufenthG and of the BAMF, end to end:
// the order of obliged, entitled and those admitted to seats left free; the
// one repeat of an integration course; childcare only for children who need
// it beside a course (the schools service's Kita places).
#include "e2e/courses/courses_fixture.h"

namespace ankommen {
namespace {

using namespace courses_e2e;

// § 44a and § 44 (4) AufenthG: an obligation an office records through the
// registry's API ranks first, then those entitled, and an asylum seeker with a
// good stay prospect is admitted only to seats left free after them — even
// when registered first.
TEST_F(CoursesE2ETest, TheLineIsObligedThenEntitledThenThoseAdmittedToSeatsLeftFree) {
  const std::string seeker = RegisterAdult("hh-seeker", rv1::RESIDENCE_STATUS_ASYLUM_SEEKER, rv1::STAY_PROSPECT_GOOD);
  const std::string entitled = RegisterAdult("hh-entitled");
  const std::string obliged = RegisterAdult("hh-obliged");
  for (const auto& p : {seeker, entitled, obliged}) ASSERT_TRUE(WaitForRequest(p, cv1::REQUEST_STATUS_WAITING)) << p;
  auto seekers = WaitForRequest(seeker, cv1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(seekers->course_type(), cv1::COURSE_TYPE_INTEGRATION_GENERAL);
  EXPECT_TRUE(seekers->admitted_if_free());
  EXPECT_FALSE(WaitForRequest(entitled, cv1::REQUEST_STATUS_WAITING)->obliged()) << "A1 obliges nobody by itself";

  rv1::RecordCourseObligationRequest oblige;
  oblige.set_idempotency_key("oblige-1");
  oblige.set_person_id(obliged);
  oblige.mutable_obligation()->set_authority(rv1::OBLIGING_AUTHORITY_JOBCENTER);
  oblige.mutable_obligation()->set_ground(rv1::OBLIGATION_GROUND_SGB_II);
  oblige.mutable_obligation()->set_decided_on("2026-11-30");
  oblige.mutable_obligation()->set_reason("Eingliederungsvereinbarung");
  rv1::RecordCourseObligationResponse recorded;
  auto s = registry_stub_->RecordCourseObligation(Ctx().get(), oblige, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(recorded.person().course_obligation().authority(), rv1::OBLIGING_AUTHORITY_JOBCENTER);
  // A ground that is another office's is refused, and changes nothing.
  auto wrong = oblige;
  wrong.set_idempotency_key("oblige-2");
  wrong.set_person_id(entitled);
  wrong.mutable_obligation()->set_authority(rv1::OBLIGING_AUTHORITY_FOREIGNERS_OFFICE);
  EXPECT_EQ(registry_stub_->RecordCourseObligation(Ctx().get(), wrong, &recorded).error_code(),
            grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(WaitUntil([&] {
    auto r = WaitForRequest(obliged, cv1::REQUEST_STATUS_WAITING, absl::ZeroDuration());
    return r && r->obliged();
  }));
  // The request that now ranks first is told (request.changed), ids only.
  std::vector<cv1::RequestChanged> changed;
  ASSERT_TRUE(WaitUntil([&] {
    changed = CourseEvents<cv1::RequestChanged>(streams::kRequestChanged);
    return !changed.empty();
  }));
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].person_id(), obliged);
  EXPECT_TRUE(changed[0].obliged());
  EXPECT_EQ(changed[0].course_type(), cv1::COURSE_TYPE_INTEGRATION_GENERAL);
  EXPECT_EQ(changed[0].previous_course_type(), cv1::COURSE_TYPE_INTEGRATION_GENERAL);

  cv1::ListWaitingListRequest list;
  list.set_course_type(cv1::COURSE_TYPE_INTEGRATION_GENERAL);
  list.set_social_area("Riesa");
  cv1::ListWaitingListResponse line;
  ASSERT_TRUE(stub_->ListWaitingList(Ctx().get(), list, &line).ok());
  ASSERT_EQ(line.requests_size(), 3);
  EXPECT_EQ(line.requests(0).person_id(), obliged);
  EXPECT_EQ(line.requests(1).person_id(), entitled);
  EXPECT_EQ(line.requests(2).person_id(), seeker) << "registered first, admitted last";

  // Two seats: the obliged and the entitled; the third waits for a seat nobody of them needs.
  cv1::Course two = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 2);
  ASSERT_TRUE(WaitForRequest(obliged, cv1::REQUEST_STATUS_OFFERED));
  ASSERT_TRUE(WaitForRequest(entitled, cv1::REQUEST_STATUS_OFFERED));
  EXPECT_EQ(GetCourse(two.course_id()).offered(), 2);
  EXPECT_TRUE(WaitForRequest(seeker, cv1::REQUEST_STATUS_WAITING, absl::ZeroDuration()));
  cv1::Course one_more = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 1);
  auto left_free = WaitForRequest(seeker, cv1::REQUEST_STATUS_OFFERED);
  ASSERT_TRUE(left_free.has_value()) << "a seat left free goes to the admitted";
  EXPECT_EQ(left_free->offer().course_id(), one_more.course_id());

  // Lifting needs an obligation to lift; the audit log has the office's reason.
  auto lift = oblige;
  lift.set_idempotency_key("lift-1");
  lift.set_person_id(entitled);
  lift.set_lift(true);
  lift.mutable_obligation()->clear_ground();
  EXPECT_EQ(registry_stub_->RecordCourseObligation(Ctx().get(), lift, &recorded).error_code(),
            grpc::FAILED_PRECONDITION);
  rv1::QueryAuditRequest audit;
  audit.set_subject_id(obliged);
  rv1::QueryAuditResponse audited;
  ASSERT_TRUE(registry_stub_->QueryAudit(Ctx().get(), audit, &audited).ok());
  bool found = false;
  for (const auto& r : audited.records()) {
    found = found || (r.action() == "RecordCourseObligation" && r.purpose() == "Eingliederungsvereinbarung");
  }
  EXPECT_TRUE(found) << "who, when and why are in the audit log";
}

// § 5 (4) IntV: an integration course completed below B1 opens one repeat of
// up to 300 teaching units at once; after it, no third integration course.
TEST_F(CoursesE2ETest, ACourseBelowB1OpensTheOneRepeatAndNoMore) {
  const std::string person = RegisterAdult("hh-repeat");
  ASSERT_TRUE(WaitForRequest(person, cv1::REQUEST_STATUS_WAITING));
  auto take_and_complete = [&](const std::string& round) {
    cv1::Course course = CreateCourse(cv1::COURSE_TYPE_INTEGRATION_GENERAL, 10);
    auto offer = WaitForRequest(person, cv1::REQUEST_STATUS_OFFERED);
    ASSERT_TRUE(offer.has_value());
    ASSERT_TRUE(Accept(offer->offer().offer_id(), "accept-" + round).ok());
    cv1::CompleteCourseResponse completed;
    auto s = StartAndComplete(course.course_id(), person, "A2", round, &completed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(completed.course().teaching_units(), 700) << "the type's units, unless the course says";
  };
  take_and_complete("first");
  auto repeat = WaitForRequest(person, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(repeat.has_value()) << "the repeat opens with the completion";
  EXPECT_TRUE(repeat->repeat());
  EXPECT_THAT(repeat->reason(), ::testing::HasSubstr("300 teaching units"));
  take_and_complete("repeat");
  // The repeat done below B1: no integration course waits any more.
  ASSERT_TRUE(WaitUntil([&] {
    auto l = Learner(person);
    return l && std::count_if(l->requests().begin(), l->requests().end(), [](const cv1::SeatRequest& r) {
             return r.status() == cv1::REQUEST_STATUS_COMPLETED;
           }) == 2;
  }));
  // Nor after the registry records A2 and its level event comes back.
  ASSERT_TRUE(WaitUntil([&] { return RegistryLevelIs(person, "A2"); }));
  EXPECT_FALSE(WaitForRequest(person, cv1::REQUEST_STATUS_WAITING, absl::Seconds(2)).has_value())
      << "no third integration course";
}

// Childcare beside a course counts only the children who need it then: an
// infant does not (the courses' childcare takes children from one), and a
// child the schools service gives a Kita place no longer does — the parent's
// wait moves from the parents' course to the general one, keeping its place.
TEST_F(CoursesE2ETest, AKitaPlaceEndsTheNeedForChildcareBesideTheCourse) {
  testing::ServiceProcess schools(ANKOMMEN_SCHOOLS_BINARY, "ankommen.schools.v1.SchoolService", nats_, redis_,
                                  {{"ANKOMMEN_SCHOOLS_CONFIRM", "off"}, {"ANKOMMEN_SCHOOLS_PLACEMENT_PERIOD", "3600"}});
  auto schools_stub =
      ankommen::schools::v1::SchoolService::NewStub(grpc::CreateChannel(schools.grpc_addr(), grpc::InsecureChannelCredentials()));
  auto req = testing::SampleWithChildren("hh-care", {"2026-06-01", "2023-05-01"});  // an infant and a three-year-old
  auto* mother = req.mutable_household()->mutable_members(0);
  mother->set_residence_status(rv1::RESIDENCE_STATUS_PROTECTION_GRANTED);
  mother->mutable_needs()->set_childcare(true);
  rv1::RegisterHouseholdResponse registered;
  ASSERT_TRUE(registry_stub_->RegisterHousehold(Ctx().get(), req, &registered).ok());
  const std::string parent = registered.household().members(0).person_id();
  auto waiting = WaitForRequest(parent, cv1::REQUEST_STATUS_WAITING);
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->course_type(), cv1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(waiting->childcare_children(), 1) << "the three-year-old; not the infant";

  ankommen::schools::v1::CreateKitaRequest kita;
  kita.set_idempotency_key("kita-care");
  kita.mutable_kita()->set_name("Kita Riesa");
  kita.mutable_kita()->mutable_location()->set_municipality_ags("14627230");
  kita.mutable_kita()->mutable_location()->set_social_area("Riesa");
  kita.mutable_kita()->mutable_location()->mutable_coordinates()->set_lat(kRiesaLat);
  kita.mutable_kita()->mutable_location()->mutable_coordinates()->set_lon(kRiesaLon);
  kita.mutable_kita()->set_places_under_3(2);
  kita.mutable_kita()->set_places_3_to_school(2);
  kita.mutable_kita()->set_hours_per_day(9);
  ankommen::schools::v1::CreateKitaResponse created;
  auto s = schools_stub->CreateKita(Ctx().get(), kita, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ankommen::schools::v1::RunPlacementResponse ran;
  ASSERT_TRUE(schools_stub->RunPlacement(Ctx().get(), {}, &ran).ok());
  ASSERT_GE(ran.placed(), 1) << "the three-year-old has a Kita place";

  ASSERT_TRUE(WaitUntil([&] {
    auto r = WaitForRequest(parent, cv1::REQUEST_STATUS_WAITING, absl::ZeroDuration());
    return r && r->course_type() == cv1::COURSE_TYPE_INTEGRATION_GENERAL;
  })) << "no child needs care beside the course now";
  auto moved = WaitForRequest(parent, cv1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(moved->childcare_children(), 0);
  EXPECT_EQ(moved->requested_on(), waiting->requested_on()) << "the place in line is kept";
  schools_stub.reset();
  EXPECT_EQ(schools.process().Stop(SIGTERM), 0) << schools.process().Log();
}


}  // namespace
}  // namespace ankommen
