// The hindsight bound: it finds what no day-by-day policy can beat, follows
// the course service's rules, and measures a policy's run the same way.
#include "hindsight.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace ankommen::sim {
namespace {

constexpr int kGeneral = 1, kParents = 3;  // courses::v1::CourseType values
const placement::GeoPoint kRiesa{51.308, 13.294}, kMeissen{51.1636, 13.4775};  // 18 km apart

HindsightRequest Request(int day, placement::GeoPoint home = kRiesa, int type = kGeneral) {
  HindsightRequest r;
  r.requested_day = day;
  r.course_type = type;
  r.home = home;
  r.max_km = 30;
  return r;
}

HindsightCourse Course(int start, int seats, placement::GeoPoint at = kRiesa, int type = kGeneral) {
  HindsightCourse c;
  c.start_day = start;
  c.last_entry_day = start + 28;
  c.course_type = type;
  c.at = at;
  c.seats = seats;
  return c;
}

TEST(HindsightTest, EnrolsWhomAGreedyFirstComeListWouldLeaveOut) {
  // The first to ask could go to either course; the second only to the near
  // one. First come, first served gives the first the near seat and the
  // second nothing; knowing both, the bound seats both.
  std::vector<HindsightRequest> requests = {Request(0), Request(1)};
  requests[0].max_km = 30;
  requests[1].max_km = 5;
  const std::vector<HindsightCourse> courses = {Course(10, 1, kRiesa), Course(10, 1, kMeissen)};
  const HindsightResult bound = SolveHindsight(requests, courses, 182);
  EXPECT_EQ(bound.enrolled, 2);
  EXPECT_EQ(bound.course_of, (std::vector<int>{1, 0}));
  EXPECT_EQ(bound.person_days_waited, 10 + 9);

  const HindsightResult greedy = MeasurePolicy(requests, courses, {0, -1}, {10, -1}, 182);
  EXPECT_EQ(greedy.enrolled, 1);
  EXPECT_EQ(greedy.person_days_waited, 10 + (182 - 1)) << "the one left out waits to the period's end";
}

TEST(HindsightTest, WaitingByWeekCountsThoseAskedAndNotYetInACourse) {
  // Asked on days 0 and 8; the first in a course from day 10, the second never.
  const std::vector<HindsightRequest> requests = {Request(0), Request(8)};
  const std::vector<HindsightCourse> courses = {Course(10, 1)};
  const HindsightResult run = MeasurePolicy(requests, courses, {0, -1}, {3, -1}, 21);
  EXPECT_EQ(run.waited_until, (std::vector<int>{10, -1}));
  EXPECT_EQ(WaitingByWeek(requests, run, 3), (std::vector<int>{1, 1, 1}))
      << "week 1: the first waits; week 2: the first is in, the second waits";
}

TEST(HindsightTest, AmongAsManyEnrolledTheFewestDaysWaited) {
  const std::vector<HindsightRequest> requests = {Request(0), Request(0)};
  const std::vector<HindsightCourse> courses = {Course(60, 2), Course(14, 1), Course(30, 1)};
  const HindsightResult bound = SolveHindsight(requests, courses, 182);
  EXPECT_EQ(bound.enrolled, 2);
  EXPECT_EQ(bound.person_days_waited, 14 + 30);
}

TEST(HindsightTest, SeatsNobodyWhereTheyWouldSayNo) {
  // Two ask, on days 0 and 20; two courses of a seat each, from days 7 and
  // 30. Seating the first in the sooner course waits fewest days (7 + 10), but
  // the first would turn it down: knowing it, the bound seats the first in the
  // later course and the second as a late entry into the sooner one (30 + 0).
  std::vector<HindsightRequest> requests = {Request(0), Request(20)};
  const std::vector<HindsightCourse> courses = {Course(7, 1), Course(30, 1)};
  EXPECT_EQ(SolveHindsight(requests, courses, 182).person_days_waited, 7 + 10);
  requests[0].refused = {0};
  const HindsightResult bound = SolveHindsight(requests, courses, 182);
  EXPECT_EQ(bound.course_of, (std::vector<int>{1, 0}));
  EXPECT_EQ(bound.person_days_waited, 30 + 0);

  requests[0].refused = {0, 1};
  const HindsightResult none = SolveHindsight(requests, courses, 182);
  EXPECT_EQ(none.enrolled, 1) << "who would turn down every course is not enrolled";
  EXPECT_EQ(none.course_of[0], -1);
}

TEST(HindsightTest, NobodyIsSeatedBeforeTheirAnswerComes) {
  // Asked on day 10: a course running since day 5, and one from day 12. The
  // person takes 4 days to answer the first and 5 to answer the second. Offered
  // on the day of asking, the earliest seat begins on day 14 in the running
  // course (a late entry on the day of the answer) and on day 15 in the other
  // (the answer comes after its start).
  HindsightRequest asked = Request(10);
  asked.answer_days = {4, 5};
  const std::vector<HindsightCourse> courses = {Course(5, 1), Course(12, 1)};
  EXPECT_EQ(SeatDay(asked, courses[0], AnswerDays(asked, 0)), 14);
  EXPECT_EQ(SeatDay(asked, courses[1], AnswerDays(asked, 1)), 15);
  const HindsightResult bound = SolveHindsight({asked}, courses, 182);
  EXPECT_EQ(bound.course_of, (std::vector<int>{0}));
  EXPECT_EQ(bound.waited_until, (std::vector<int>{14}));
  EXPECT_EQ(bound.person_days_waited, 4);
  // Answering on the day (no delays known), the late entry waits no day.
  EXPECT_EQ(SolveHindsight({Request(10)}, courses, 182).person_days_waited, 0);
  // A policy that offers on the day of asking and is answered 4 days later matches the bound.
  EXPECT_EQ(MeasurePolicy({asked}, courses, {0}, {14}, 182).person_days_waited, bound.person_days_waited);
  // The least p90 counts the answer too: nobody starts within 3 days.
  EXPECT_EQ(LeastP90AccessWait({asked}, courses, 182, 1), 4);
}

TEST(HindsightTest, NoScheduleHasALowerP90ThanTheLeastOne) {
  // Ten ask on day 0; a course from day 5 and one from day 40. With 8 seats
  // in the first, the tenth-from-last must wait 40 days: the p90 (the 9th of
  // 10) cannot be below 40. With 9 seats it can be 5.
  const std::vector<HindsightRequest> requests(10, Request(0));
  EXPECT_EQ(LeastP90AccessWait(requests, {Course(5, 8), Course(40, 10)}, 182, 10), 40);
  EXPECT_EQ(LeastP90AccessWait(requests, {Course(5, 9), Course(40, 10)}, 182, 10), 5);
  // Who asks after a start and enters late waits 0 days.
  EXPECT_EQ(LeastP90AccessWait(std::vector<HindsightRequest>(10, Request(6)), {Course(5, 10)}, 182, 10), 0);
  // The fewest-days bound's own p90 is not below it either.
  const HindsightResult bound = SolveHindsight(requests, {Course(5, 8), Course(40, 10)}, 182);
  std::vector<int> waits = bound.waited_until;
  std::sort(waits.begin(), waits.end());
  EXPECT_EQ(waits[8], 40);
}

TEST(HindsightTest, FollowsTheCourseServicesRules) {
  const int period = 182;
  HindsightCourse course = Course(20, 5);
  EXPECT_TRUE(Eligible(Request(3), course, period));
  EXPECT_FALSE(Eligible(Request(3, kRiesa, kParents), course, period)) << "another course type";
  HindsightRequest far = Request(3, kMeissen);
  far.max_km = 10;
  EXPECT_FALSE(Eligible(far, course, period)) << "beyond the travel limit";
  HindsightRequest works = Request(3);
  works.evening_only = true;
  EXPECT_FALSE(Eligible(works, course, period)) << "a daytime course for someone who works in the daytime";
  course.evening = true;
  EXPECT_TRUE(Eligible(works, course, period));
  HindsightRequest parent = Request(3, kRiesa, kParents);
  parent.care = {CareWindow{}, CareWindow{}};
  HindsightCourse parents = Course(20, 5, kRiesa, kParents);
  EXPECT_FALSE(Eligible(parent, parents, period)) << "no childcare place";
  parents.childcare_places = 1;
  EXPECT_FALSE(Eligible(parent, parents, period)) << "too few for both children";
  parents.childcare_places = 2;
  EXPECT_TRUE(Eligible(parent, parents, period));
  EXPECT_TRUE(Eligible(Request(40), Course(20, 5), period)) << "a late entry into a running course";
  EXPECT_FALSE(Eligible(Request(49), Course(20, 5), period)) << "too far along to join";
  EXPECT_FALSE(Eligible(Request(3), Course(period + 7, 5), period)) << "starts after the period";
}

TEST(HindsightTest, ChildcarePlacesBoundTheParents) {
  std::vector<HindsightRequest> requests(3, Request(0, kRiesa, kParents));
  for (auto& r : requests) r.care = {CareWindow{}};
  requests.push_back(Request(0, kRiesa, kParents));  // a parent whose children are at school
  HindsightCourse course = Course(10, 10, kRiesa, kParents);
  course.childcare_places = 2;
  const HindsightResult bound = SolveHindsight(requests, {course}, 182);
  EXPECT_EQ(bound.enrolled, 3);
  EXPECT_EQ(bound.course_of[3], 0);
}

// A child needs care from its first birthday until school or a Kita place,
// as the course service counts it: the need is the one on the seat's first day.
TEST(HindsightTest, AChildNeedsCareOnlyWhileItIsNeitherTooYoungNorAtSchoolOrKita) {
  const int period = 182;
  HindsightRequest parent = Request(3, kRiesa, kParents);
  parent.care = {CareWindow{.from = 30, .until = 100}};  // one year old on day 30, a Kita place on day 100
  EXPECT_EQ(ChildcareOn(parent, 29), 0);
  EXPECT_EQ(ChildcareOn(parent, 30), 1);
  EXPECT_EQ(ChildcareOn(parent, 100), 0);
  HindsightCourse without_care = Course(20, 5, kRiesa, kParents);
  EXPECT_TRUE(Eligible(parent, without_care, period)) << "starts before the child needs care";
  EXPECT_FALSE(Eligible(parent, Course(50, 5, kRiesa, kParents), period)) << "starts while it needs care";
  EXPECT_TRUE(Eligible(parent, Course(100, 5, kRiesa, kParents), period)) << "starts once it has a Kita place";
  HindsightRequest late = Request(40, kRiesa, kParents);
  late.care = parent.care;
  EXPECT_FALSE(Eligible(late, without_care, period)) << "a late entry needs care on the day it joins";
}

}  // namespace
}  // namespace ankommen::sim
