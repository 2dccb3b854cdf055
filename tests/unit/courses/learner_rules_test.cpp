// Requests following a learner's facts: opened, moved within the family
// (keeping the place in line), withdrawn when no longer eligible.
#include "domain/learner_rules.h"

#include <gtest/gtest.h>

#include "domain/course_rules.h"
#include "domain/validation.h"

namespace ankommen::courses {
namespace {

const absl::CivilDay kToday(2026, 11, 23);

v1::LearnerRecord Adult(int status, int prospect, const std::string& level = "A1") {
  v1::LearnerRecord l;
  l.set_person_id("p_1000000000000001");
  l.set_age_years(35);
  l.set_residence_status(status);
  l.set_stay_prospect(prospect);
  l.set_cefr_level(level);
  l.set_literate_latin(true);
  l.set_social_area("Riesa");
  return l;
}

constexpr int kAsylumSeeker = 1, kProtectionGranted = 3, kResidencePermit = 4, kUnclear = 2;

class LearnerRulesTest : public ::testing::Test {
 protected:
  RequestChanges Reconcile(v1::LearnerRecord& l, absl::CivilDay day = kToday) {
    return ReconcileRequests(l, EntitlementRules{}, day, {12.5}, [this] { return "rq_" + std::to_string(++ids_); });
  }
  int ids_ = 0;
};

TEST_F(LearnerRulesTest, AProtectedAdultWaitsForAnIntegrationCourse) {
  auto l = Adult(kProtectionGranted, 0);
  auto changes = Reconcile(l);
  ASSERT_EQ(changes.opened.size(), 1u);
  const auto& r = l.requests(0);
  EXPECT_EQ(r.course_type(), v1::COURSE_TYPE_INTEGRATION_GENERAL);
  EXPECT_EQ(r.status(), v1::REQUEST_STATUS_WAITING);
  EXPECT_EQ(r.requested_on(), "2026-11-23");
  EXPECT_EQ(r.max_km(), 12.5);
  // The same facts again change nothing.
  EXPECT_FALSE(Reconcile(l).changed);
  EXPECT_EQ(l.requests_size(), 1);
}

TEST_F(LearnerRulesTest, StatusChangeMovesFromFirstOrientationToIntegration) {
  auto l = Adult(kAsylumSeeker, kUnclear);
  Reconcile(l);
  ASSERT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_FIRST_ORIENTATION);
  l.set_residence_status(kProtectionGranted);
  auto changes = Reconcile(l, kToday + 30);
  ASSERT_EQ(changes.withdrawn.size(), 1u);
  EXPECT_EQ(l.requests(0).status(), v1::REQUEST_STATUS_WITHDRAWN);
  ASSERT_EQ(changes.opened.size(), 1u);
  EXPECT_EQ(l.requests(1).course_type(), v1::COURSE_TYPE_INTEGRATION_GENERAL);
}

TEST_F(LearnerRulesTest, WithinTheFamilyThePlaceInLineIsKept) {
  auto l = Adult(kProtectionGranted, 0);
  Reconcile(l);
  l.set_literate_latin(false);  // assessed later: Alpha course fits better
  auto changes = Reconcile(l, kToday + 40);
  EXPECT_TRUE(changes.opened.empty());
  EXPECT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_ALPHA);
  EXPECT_EQ(l.requests(0).requested_on(), "2026-11-23");
  // Told, so that whoever counts requests by type follows it (request.changed).
  ASSERT_EQ(changes.changed_requests.size(), 1u);
  EXPECT_EQ(changes.changed_requests[0].first.course_type(), v1::COURSE_TYPE_INTEGRATION_ALPHA);
  EXPECT_EQ(changes.changed_requests[0].second, v1::COURSE_TYPE_INTEGRATION_GENERAL);
  EXPECT_TRUE(Reconcile(l, kToday + 41).changed_requests.empty()) << "nothing changed since";
}

TEST_F(LearnerRulesTest, AnObligationRanksTheWaitingRequestFirstAndAGoodProspectWaitsForFreeSeats) {
  auto seeker = Adult(kAsylumSeeker, /*good*/ 1);
  Reconcile(seeker);
  ASSERT_EQ(seeker.requests_size(), 1);
  EXPECT_TRUE(seeker.requests(0).admitted_if_free());
  EXPECT_FALSE(seeker.requests(0).obliged());
  // An office obliges the person (the benefits office, § 5b AsylbLG): same request, first in line.
  seeker.set_obliged(true);
  auto changes = Reconcile(seeker, kToday + 5);
  EXPECT_TRUE(changes.changed);
  EXPECT_TRUE(changes.opened.empty());
  EXPECT_TRUE(seeker.requests(0).obliged());
  EXPECT_FALSE(seeker.requests(0).admitted_if_free());
  EXPECT_EQ(seeker.requests(0).requested_on(), "2026-11-23");
  // A tolerated person is not proposed a course: only on their own request.
  auto tolerated = Adult(/*tolerated*/ 2, kUnclear);
  EXPECT_TRUE(Reconcile(tolerated).opened.empty());
}

TEST_F(LearnerRulesTest, AnIntensiveCourseChosenStaysChosenASecondScriptMovesFromAlpha) {
  auto l = Adult(kResidencePermit, 0);
  auto intensive = OpenRequest(l, {CourseType::kIntegrationIntensive}, EntitlementRules{}, kToday, {12.5}, "rq_i");
  ASSERT_TRUE(intensive.ok()) << intensive.status();
  EXPECT_FALSE(Reconcile(l, kToday + 3).changed) << "not moved to the general course";
  EXPECT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_INTENSIVE);

  auto reader = Adult(kResidencePermit, 0);
  reader.set_literate_latin(false);
  Reconcile(reader);
  ASSERT_EQ(reader.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_ALPHA);
  reader.set_literate_other_script(true);  // assessed: reads Arabic script
  Reconcile(reader, kToday + 10);
  EXPECT_EQ(reader.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_SECOND_SCRIPT);
  EXPECT_EQ(reader.requests(0).requested_on(), "2026-11-23");
}

TEST_F(LearnerRulesTest, TheFirstPermitDecidesWhenTheEntitlementLapses) {
  auto fresh = Adult(kResidencePermit, 0);
  fresh.set_first_permit_date("2026-06-01");
  Reconcile(fresh);
  ASSERT_EQ(fresh.requests_size(), 1) << "within the year: the district proposes the course";
  EXPECT_FALSE(fresh.requests(0).admitted_if_free());
  auto lapsed = Adult(kResidencePermit, 0);
  lapsed.set_first_permit_date("2025-06-01");
  EXPECT_TRUE(Reconcile(lapsed).opened.empty()) << "lapsed: on the person's own request only";
  auto own = OpenRequest(lapsed, {CourseType::kIntegrationGeneral}, EntitlementRules{}, kToday, {12.5}, "rq_own");
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->admitted_if_free());
}

// Childcare beside a course counts only the children who need it then.
TEST_F(LearnerRulesTest, ChildcareCountsOnlyChildrenWhoNeedCareThen) {
  auto l = Adult(kProtectionGranted, 0);
  auto add = [&](const std::string& id, int age, bool kita) {
    auto* c = l.add_young_children();
    c->set_person_id(id);
    c->set_age_years(age);
    c->set_school_year_age(age);
    c->set_kita_place(kita);
  };
  add("p_infant", 0, false);
  add("p_toddler", 2, false);
  add("p_in_kita", 4, true);
  add("p_five", 5, false);
  EXPECT_EQ(ChildrenNeedingCare(l, 1), 2) << "not the infant, not the child with a Kita place";
  EXPECT_EQ(ChildrenNeedingCare(l, 0), 3);
  // A waiting parents' request follows: the Kita place given to the toddler needs no childcare.
  l.set_needs_childcare(true);
  l.set_children_under_school_age(ChildrenNeedingCare(l, 1));
  Reconcile(l);
  ASSERT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(l.requests(0).childcare_children(), 2);
  l.mutable_young_children(1)->set_kita_place(true);
  l.set_children_under_school_age(ChildrenNeedingCare(l, 1));
  EXPECT_TRUE(Reconcile(l, kToday + 7).changed);
  EXPECT_EQ(l.requests(0).childcare_children(), 1);
  // All cared for: the general course fits, in the same place in line.
  l.mutable_young_children(3)->set_kita_place(true);
  l.set_children_under_school_age(ChildrenNeedingCare(l, 1));
  Reconcile(l, kToday + 14);
  EXPECT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_GENERAL);
  EXPECT_EQ(l.requests(0).childcare_children(), 0);
  EXPECT_EQ(l.requests(0).requested_on(), "2026-11-23");
}

TEST_F(LearnerRulesTest, ReachingB1EndsTheIntegrationWaitAndAllowsJobLanguage) {
  auto l = Adult(kProtectionGranted, 0);
  Reconcile(l);
  l.set_cefr_level("B1");
  auto changes = Reconcile(l);
  ASSERT_EQ(changes.withdrawn.size(), 1u);
  // Job language is open to them now, on request.
  auto job = OpenRequest(l, {CourseType::kJobLanguage}, EntitlementRules{}, kToday, {12.5}, "rq_job");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->course_type(), v1::COURSE_TYPE_JOB_LANGUAGE);
}

TEST_F(LearnerRulesTest, ExplicitRequestsNeedEligibilityAndOnePerFamily) {
  auto l = Adult(kAsylumSeeker, kUnclear);
  auto job = OpenRequest(l, {CourseType::kJobLanguage}, EntitlementRules{}, kToday, {12.5}, "rq_a");
  EXPECT_TRUE(absl::IsFailedPrecondition(job.status()));
  EXPECT_EQ(l.requests_size(), 0);
  auto volunteer = OpenRequest(l, {CourseType::kVolunteer, 0, true, 30}, EntitlementRules{}, kToday, {12.5}, "rq_b");
  ASSERT_TRUE(volunteer.ok());
  EXPECT_TRUE(volunteer->evening_only());
  EXPECT_EQ(volunteer->max_km(), 30);
  auto again = OpenRequest(l, {CourseType::kVolunteer}, EntitlementRules{}, kToday, {12.5}, "rq_c");
  EXPECT_TRUE(absl::IsAlreadyExists(again.status()));
}

TEST_F(LearnerRulesTest, ParentsCourseCarriesTheChildcareNeed) {
  auto l = Adult(kProtectionGranted, 0);
  l.set_needs_childcare(true);
  l.set_children_under_school_age(2);
  Reconcile(l);
  ASSERT_EQ(l.requests_size(), 1);
  EXPECT_EQ(l.requests(0).course_type(), v1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(l.requests(0).childcare_children(), 2);
}

TEST_F(LearnerRulesTest, ErasedLearnersGetNothing) {
  auto l = Adult(kProtectionGranted, 0);
  l.set_erased(true);
  EXPECT_FALSE(Reconcile(l).changed);
  EXPECT_TRUE(absl::IsNotFound(OpenRequest(l, {CourseType::kVolunteer}, EntitlementRules{}, kToday, {}, "x").status()));
}

TEST(CourseValidationTest, BadCoursesAreRefusedNamingTheField) {
  v1::CreateCourseRequest req;
  req.set_idempotency_key("k");
  auto* c = req.mutable_course();
  c->set_provider_id("kt_1000000000000000");
  c->set_course_type(static_cast<v1::CourseType>(99));
  c->mutable_location()->set_municipality_ags("14627230");
  c->mutable_location()->set_social_area("Riesa");
  c->mutable_location()->mutable_coordinates()->set_lat(51.3);
  c->mutable_location()->mutable_coordinates()->set_lon(13.3);
  c->set_start_date("1900-01-01");
  c->set_schedule(v1::SCHEDULE_MORNING);
  auto s = ValidateCreateCourse(req, kToday);
  EXPECT_NE(s.message().find("course.course_type"), std::string::npos) << s;
  EXPECT_NE(s.message().find("course.start_date"), std::string::npos) << s;

  c->set_course_type(v1::COURSE_TYPE_INTEGRATION_GENERAL);
  c->set_start_date("2027-01-11");
  EXPECT_TRUE(ValidateCreateCourse(req, kToday).ok());  // seats unset: the default
  c->set_seats(0);
  EXPECT_NE(ValidateCreateCourse(req, kToday).message().find("course.seats"), std::string::npos);
  c->set_seats(10'000);
  EXPECT_NE(ValidateCreateCourse(req, kToday).message().find("course.seats"), std::string::npos);
  c->set_seats(20);
  c->set_childcare_places(21);
  EXPECT_NE(ValidateCreateCourse(req, kToday).message().find("course.childcare_places"), std::string::npos);
}

TEST(OfferNotTakenTest, ADeclinedCourseIsPassedALapsedOneOnlyTheSecondTime) {
  v1::SeatRequest r;
  NoteOfferNotTaken(r, "crs_a", /*declined=*/true);
  EXPECT_EQ(r.passed_course_ids_size(), 1);
  NoteOfferNotTaken(r, "crs_b", /*declined=*/false);
  EXPECT_EQ(r.passed_course_ids_size(), 1) << "offered again: the answer may not have arrived";
  EXPECT_EQ(r.lapsed_course_ids_size(), 1);
  NoteOfferNotTaken(r, "crs_b", /*declined=*/false);
  ASSERT_EQ(r.passed_course_ids_size(), 2);
  EXPECT_EQ(r.passed_course_ids(1), "crs_b");
}

}  // namespace
}  // namespace ankommen::courses
