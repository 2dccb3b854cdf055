// The seat rules of a course: the invariant under offers, acceptances, seat
// changes, cancellation and completion.
#include "domain/course_rules.h"
#include "domain/course_types.h"

#include <gtest/gtest.h>

namespace ankommen::courses {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::CourseRecord Course(int seats, int childcare = 0) {
  v1::CourseRecord r;
  r.mutable_course()->set_course_id("crs_0000000000000001");
  r.mutable_course()->set_course_type(v1::COURSE_TYPE_INTEGRATION_GENERAL);
  r.mutable_course()->set_status(v1::COURSE_STATUS_OPEN);
  r.mutable_course()->set_seats(seats);
  r.mutable_course()->set_childcare_places(childcare);
  return r;
}

v1::Hold Offer(int n, int childcare = 0, int64_t offered_at = 0) {
  v1::Hold h;
  h.set_offer_id("of_" + std::to_string(1000 + n));
  h.set_request_id("rq_" + std::to_string(1000 + n));
  h.set_person_id("p_" + std::to_string(1000 + n));
  h.set_state(v1::Hold::STATE_OFFERED);
  h.set_childcare(childcare);
  h.set_offered_at(offered_at ? offered_at : absl::ToUnixSeconds(kNow) + n);
  h.set_deadline(absl::ToUnixSeconds(kNow + absl::Hours(24 * 7)));
  h.set_requested_on("2026-01-01");
  return h;
}

TEST(CourseRulesTest, OffersStopAtTheSeats) {
  auto r = Course(2);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  auto full = AddOffer(r, Offer(3));
  EXPECT_TRUE(absl::IsFailedPrecondition(full)) << full;
  EXPECT_EQ(r.holds_size(), 2);  // unchanged
}

TEST(CourseRulesTest, ChildcareStopsAtItsPlaces) {
  auto r = Course(10, 2);
  ASSERT_TRUE(AddOffer(r, Offer(1, 2)).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(AddOffer(r, Offer(2, 1))));
  EXPECT_TRUE(AddOffer(r, Offer(3, 0)).ok());
}

TEST(CourseRulesTest, OneSeatPerRequest) {
  auto r = Course(5);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(AddOffer(r, Offer(1))));
}

TEST(CourseRulesTest, AcceptOnceAndOnlyBeforeTheDeadline) {
  auto r = Course(3);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  ASSERT_TRUE(Accept(r, "of_1001", kNow).ok());
  auto twice = Accept(r, "of_1001", kNow);
  EXPECT_TRUE(absl::IsFailedPrecondition(twice.status()));
  EXPECT_NE(twice.status().message().find("already accepted"), std::string::npos);
  auto late = Accept(r, "of_1002", kNow + absl::Hours(24 * 8));
  EXPECT_TRUE(absl::IsFailedPrecondition(late.status()));
  EXPECT_NE(late.status().message().find("deadline"), std::string::npos);
  EXPECT_EQ(CountHolds(r).enrolled, 1);
  EXPECT_EQ(CountHolds(r).offered, 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(Accept(r, "of_9999", kNow).status()));
}

TEST(CourseRulesTest, ExpiredOffersAreFound) {
  auto r = Course(3);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  EXPECT_TRUE(ExpiredOffers(r, kNow).empty());
  EXPECT_EQ(ExpiredOffers(r, kNow + absl::Hours(24 * 8)).size(), 1u);
}

TEST(CourseRulesTest, ReleaseFreesTheSeatButNotAnEnrolment) {
  auto r = Course(1);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(Release(r, "of_1001").ok());
  EXPECT_EQ(View(r).free_seats(), 1);
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  ASSERT_TRUE(Accept(r, "of_1002", kNow).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Release(r, "of_1002").status()));
}

TEST(CourseRulesTest, SeatsNeverBelowEnrolled) {
  auto r = Course(3);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  ASSERT_TRUE(Accept(r, "of_1001", kNow).ok());
  ASSERT_TRUE(Accept(r, "of_1002", kNow).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(ChangeCapacity(r, 1, 0, /*withdraw_excess=*/true).status()));
  EXPECT_EQ(r.course().seats(), 3);
}

TEST(CourseRulesTest, SeatsBelowOfferedOnlyByWithdrawingTheNewestOffers) {
  auto r = Course(25);
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(AddOffer(r, Offer(i)).ok());
  ASSERT_TRUE(Accept(r, "of_1003", kNow).ok());
  auto refused = ChangeCapacity(r, 10, 0, /*withdraw_excess=*/false);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_EQ(r.course().seats(), 25);
  EXPECT_EQ(r.holds_size(), 20);

  auto withdrawn = ChangeCapacity(r, 10, 0, /*withdraw_excess=*/true);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  ASSERT_EQ(withdrawn->size(), 10u);
  for (const auto& h : *withdrawn) EXPECT_GT(h.offer_id(), "of_1010");  // the newest ten
  EXPECT_TRUE(CheckCapacity(r).ok());
  EXPECT_EQ(CountHolds(r).enrolled, 1);
  EXPECT_EQ(CountHolds(r).offered, 9);
}

TEST(CourseRulesTest, CancellingReturnsEveryHold) {
  auto r = Course(5);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  ASSERT_TRUE(Accept(r, "of_1001", kNow).ok());
  auto holds = Cancel(r);
  ASSERT_TRUE(holds.ok());
  EXPECT_EQ(holds->size(), 2u);
  EXPECT_EQ(r.course().status(), v1::COURSE_STATUS_CANCELLED);
  EXPECT_EQ(r.holds_size(), 0);
  EXPECT_FALSE(TakesParticipants(r.course().status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(Cancel(r).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(AddOffer(r, Offer(3))));
}

TEST(CourseRulesTest, CompletionNeedsEnrolledParticipants) {
  auto r = Course(5);
  ASSERT_TRUE(AddOffer(r, Offer(1)).ok());
  ASSERT_TRUE(AddOffer(r, Offer(2)).ok());
  ASSERT_TRUE(Accept(r, "of_1001", kNow).ok());
  v1::ParticipantResult stranger;
  stranger.set_person_id("p_1002");  // offered, not enrolled
  stranger.set_reached_level("B1");
  EXPECT_TRUE(absl::IsFailedPrecondition(Complete(r, {stranger}).status()));
  v1::ParticipantResult done;
  done.set_person_id("p_1001");
  done.set_reached_level("B1");
  EXPECT_TRUE(absl::IsInvalidArgument(Complete(r, {done, done}).status()));
  auto lapsed = Complete(r, {done});
  ASSERT_TRUE(lapsed.ok());
  EXPECT_EQ(r.course().status(), v1::COURSE_STATUS_COMPLETED);
  EXPECT_EQ(r.holds_size(), 1);
  // The open offer lapsed with the course and is handed back, so that its
  // person returns to the waiting list (found by the simulation: it was dropped).
  ASSERT_EQ(lapsed->size(), 1u);
  EXPECT_EQ((*lapsed)[0].person_id(), "p_1002");
}

TEST(CourseRulesTest, AProvidersStaffActOnlyForTheirProvider) {
  EXPECT_TRUE(CheckActsForProvider({"course_provider"}, "kt_1", "kt_1").ok());
  EXPECT_TRUE(absl::IsPermissionDenied(CheckActsForProvider({"course_provider"}, "kt_1", "kt_2")));
  EXPECT_TRUE(absl::IsPermissionDenied(CheckActsForProvider({"course_provider"}, "", "kt_2")));
  EXPECT_TRUE(CheckActsForProvider({"integration_office"}, "", "kt_2").ok());
  EXPECT_TRUE(CheckActsForProvider({"course_provider", "district_admin"}, "kt_1", "kt_2").ok());
  EXPECT_TRUE(CheckActsForProvider({}, "", "kt_2").ok()) << "access control off";
}

TEST(CourseRulesTest, GroupSizesAndUnitsAreBamfsUnlessConfigured) {
  CourseTypeTable types;
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_GENERAL).group_size, 25);
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_ALPHA).group_size, 16) << "BAMF's circular of 2016";
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_GENERAL).teaching_units, 700);
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_INTENSIVE).teaching_units, 500);
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_SECOND_SCRIPT).teaching_units, 1000);
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_FIRST_ORIENTATION).teaching_units, 300);
  EXPECT_LE(types.Of(v1::COURSE_TYPE_VOLUNTEER).default_seats, types.Of(v1::COURSE_TYPE_VOLUNTEER).group_size);
  ASSERT_TRUE(types.SetGroupSizes("integration_alpha=12, job_language=20").ok());
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_ALPHA).group_size, 12);
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_INTEGRATION_ALPHA).default_seats, 12) << "a default above the size comes down";
  EXPECT_EQ(types.Of(v1::COURSE_TYPE_JOB_LANGUAGE).group_size, 20);
  auto bad = types.SetGroupSizes("integration_beta=12");
  EXPECT_TRUE(absl::IsInvalidArgument(bad));
  EXPECT_NE(std::string(bad.message()).find("integration_beta=12"), std::string::npos);
  EXPECT_TRUE(absl::IsInvalidArgument(types.SetGroupSizes("integration_alpha=0")));
  EXPECT_TRUE(absl::IsInvalidArgument(types.SetGroupSizes("integration_alpha")));
  EXPECT_EQ(ToProto(ToCourseType(v1::COURSE_TYPE_JOB_LANGUAGE)), v1::COURSE_TYPE_JOB_LANGUAGE);
  EXPECT_EQ(ToProto(ToCourseType(v1::COURSE_TYPE_INTEGRATION_SECOND_SCRIPT)), v1::COURSE_TYPE_INTEGRATION_SECOND_SCRIPT);
  EXPECT_STREQ(CourseTypeName(ToCourseType(v1::COURSE_TYPE_INTEGRATION_INTENSIVE)), "integration_intensive");
}

TEST(CourseRulesTest, AnOfferIsAnsweredBeforeTheCourseStarts) {
  const absl::CivilDay today(2027, 3, 1);
  // Far from the start: the usual week.
  EXPECT_EQ(AnswerBy(today, today + 30, 7, 3), today + 7);
  // Near it: the day before the start, so that a seat not taken goes on in time.
  EXPECT_EQ(AnswerBy(today, today + 5, 7, 3), today + 4);
  // Never less than the shortest time to answer; a late entry gets that.
  EXPECT_EQ(AnswerBy(today, today + 2, 7, 3), today + 3);
  EXPECT_EQ(AnswerBy(today, today - 20, 7, 3), today + 3);
  // A district that asks for answers within two days keeps its two days.
  EXPECT_EQ(AnswerBy(today, today + 30, 2, 3), today + 2);
}

TEST(CourseRulesTest, ASecondOfferAfterALapseGetsTheFullTimeWhileTheCourseTakesNewcomers) {
  const absl::CivilDay today(2027, 3, 1);
  // The course starts in two days (a first offer: three days to answer); a second gets the week.
  EXPECT_EQ(SecondAnswerBy(today, today + 2 + 28, 7), today + 7);
  // A running course taking newcomers for four more days: those four.
  EXPECT_EQ(SecondAnswerBy(today, today + 4, 7), today + 4);
  // Its last day to take newcomers is today: today.
  EXPECT_EQ(SecondAnswerBy(today, today, 7), today);
}

TEST(CourseRulesTest, AcceptanceStartsAtOneAndFollowsTheAnswersSeen) {
  EXPECT_DOUBLE_EQ(Acceptance(0, 0), 1.0);  // no history: no more offers than seats
  EXPECT_DOUBLE_EQ(Acceptance(30, 10), 0.8);  // (30 + 10) of (40 + 10)
  EXPECT_NEAR(Acceptance(300, 100), 310.0 / 410.0, 1e-12);
  EXPECT_DOUBLE_EQ(Acceptance(0, 1000), kLeastAcceptance);  // never below: at most twice the free seats
}

TEST(CourseRulesTest, HoldLimitSizesOffersSoThatTheExpectedAcceptancesFitTheFreeSeats) {
  EXPECT_EQ(HoldLimit(20, 0, 1.0), 20);
  EXPECT_EQ(HoldLimit(20, 0, 0.75), 26);   // 26 × 0.75 = 19.5 expected to take a seat
  EXPECT_EQ(HoldLimit(20, 17, 0.75), 21);  // 3 free: 4 offers
  EXPECT_EQ(HoldLimit(20, 19, 0.75), 20);  // 1 free: 1.33 rounds down, no overbooking
  EXPECT_EQ(HoldLimit(20, 20, 0.5), 20);   // full
  EXPECT_EQ(HoldLimit(20, 10, 0.1), 30);   // never beyond twice the free seats
}

TEST(CourseRulesTest, OffersBeyondTheSeatsOnlyByTheAcceptanceAndNeverAnEnrolmentBeyond) {
  auto r = Course(3);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(AddOffer(r, Offer(i)).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(AddOffer(r, Offer(4))));       // acceptance 1: the seats
  ASSERT_TRUE(AddOffer(r, Offer(4), /*acceptance=*/0.75).ok());         // 3 / 0.75 = 4 holds
  EXPECT_TRUE(absl::IsFailedPrecondition(AddOffer(r, Offer(5), 0.75)));
  EXPECT_TRUE(CheckCapacity(r).ok());

  // Two accept: a seat is free, the other two offers stand.
  auto first = Accept(r, "of_1001", kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->withdrawn.empty());
  auto second = Accept(r, "of_1002", kNow);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->withdrawn.empty());
  EXPECT_EQ(CountHolds(r).offered, 2);
  // The third takes the last seat: the offer still open is withdrawn with it.
  auto third = Accept(r, "of_1004", kNow);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->withdrawn.size(), 1u);
  EXPECT_EQ(third->withdrawn[0].offer_id(), "of_1003");
  EXPECT_EQ(CountHolds(r).enrolled, 3);
  EXPECT_EQ(CountHolds(r).offered, 0);
  EXPECT_TRUE(CheckCapacity(r).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Accept(r, "of_1003", kNow).status()));

  // A record that still carried an offer beyond a full course: its answer finds it full.
  auto full = Course(1);
  *full.add_holds() = Offer(1);
  full.mutable_holds(0)->set_state(v1::Hold::STATE_ENROLLED);
  *full.add_holds() = Offer(2);
  auto refused = Accept(full, "of_1002", kNow);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_NE(refused.status().message().find("full"), std::string::npos);
  EXPECT_EQ(CountHolds(full).enrolled, 1);
}

TEST(CourseRulesTest, MoreSeatsWithdrawNothingFewerWithdrawDownToTheSeats) {
  auto r = Course(4);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(AddOffer(r, Offer(i), 0.7).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(AddOffer(r, Offer(6), 0.7)));  // 4 / 0.7 = 5.7: 5 holds
  auto more = ChangeCapacity(r, 5, 0, /*withdraw_excess=*/false);
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_TRUE(more->empty());
  EXPECT_TRUE(absl::IsFailedPrecondition(ChangeCapacity(r, 4, 0, false).status()));
  auto fewer = ChangeCapacity(r, 4, 0, /*withdraw_excess=*/true);
  ASSERT_TRUE(fewer.ok()) << fewer.status();
  EXPECT_EQ(fewer->size(), 1u);
  EXPECT_EQ(CountHolds(r).offered, 4);
}

TEST(CourseRulesTest, AnswersAreCountedOnTheCourse) {
  auto r = Course(3);
  NoteAnswer(r, true);
  NoteAnswer(r, false);
  NoteAnswer(r, false);
  EXPECT_EQ(r.offers_accepted(), 1);
  EXPECT_EQ(r.offers_not_taken(), 2);
}

}  // namespace
}  // namespace ankommen::courses

namespace ankommen::courses {
namespace {

TEST(CourseWaitsTest, WaitingAndAccessTimeAreCountedAsBamfDoes) {
  // Entitled on 1 March, accepted on 20 March, the course starts on 10 April.
  auto w = WaitsAtEnrolment("2027-04-10", "2027-03-01", absl::CivilDay(2027, 3, 20));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->waiting_days, 21) << "registration with the provider to the start";
  EXPECT_EQ(w->access_days, 40) << "entitlement to the start";
  // A late entry into a running course: it starts for the person the day they enrol.
  w = WaitsAtEnrolment("2027-03-15", "2027-03-01", absl::CivilDay(2027, 3, 20));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->waiting_days, 0);
  EXPECT_EQ(w->access_days, 19);
  EXPECT_FALSE(WaitsAtEnrolment("", "2027-03-01", absl::CivilDay(2027, 3, 20)));
}

}  // namespace
}  // namespace ankommen::courses
