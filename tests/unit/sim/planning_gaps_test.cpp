// Planning gaps: who still waits with no course in reach, or too long with
// courses in reach, grouped; and the course series that would serve them,
// written as a scenario that applies to the district.
#include "planning_gaps.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "ankommen/courses/v1/courses.pb.h"
#include "scenario.h"

namespace ankommen::sim {
namespace {

namespace cv1 = courses::v1;

const std::string kMeissen = std::string(ANKOMMEN_SAMPLE_DIR) + "/meissen";
const placement::GeoPoint kRiesa{51.308, 13.294}, kMeissenTown{51.1636, 13.4775};  // 18 km apart

GapRequest Waiting(cv1::CourseType type, placement::GeoPoint home, const std::string& area, const std::string& town,
                   int days_waited) {
  GapRequest g;
  g.request.course_type = type;
  g.request.home = home;
  g.request.max_km = 15;
  g.social_area = area;
  g.town = town;
  g.waiting = true;
  g.days_waited = days_waited;
  return g;
}

HindsightCourse Course(cv1::CourseType type, placement::GeoPoint at) {
  HindsightCourse c;
  c.course_type = type;
  c.at = at;
  c.seats = 20;
  c.start_day = 7;
  c.last_entry_day = 35;
  return c;
}

TEST(PlanningGapsTest, YouthWithNoCourseInReachGetAClassWhereMostOfThemLive) {
  const District district = ReadDistrict(kMeissen).district;
  std::vector<GapRequest> requests;
  for (int i = 0; i < 8; ++i) requests.push_back(Waiting(cv1::COURSE_TYPE_INTEGRATION_YOUTH, kRiesa, "Riesa", "Riesa", 30 + i));
  requests.push_back(Waiting(cv1::COURSE_TYPE_INTEGRATION_YOUTH, kRiesa, "Riesa", "Gröditz", 50));
  // Waiting a short while for a course in reach: no gap.
  requests.push_back(Waiting(cv1::COURSE_TYPE_INTEGRATION_GENERAL, kRiesa, "Riesa", "Riesa", 10));
  // Enrolled: no gap.
  GapRequest enrolled = Waiting(cv1::COURSE_TYPE_INTEGRATION_YOUTH, kRiesa, "Riesa", "Riesa", 0);
  enrolled.waiting = false;
  requests.push_back(enrolled);
  const std::vector<HindsightCourse> courses = {Course(cv1::COURSE_TYPE_INTEGRATION_YOUTH, kMeissenTown),
                                                Course(cv1::COURSE_TYPE_INTEGRATION_GENERAL, kRiesa)};
  const std::map<int, std::map<std::string, int>> free = {{cv1::COURSE_TYPE_INTEGRATION_YOUTH, {{"Meißen", 7}}}};
  GapOptions options;
  options.period_weeks = 26;
  options.max_added_seat_share = 0.25;  // of the 40 seats of the period: 10 may be added
  const auto gaps = FindPlanningGaps(district, requests, courses, free, options);

  ASSERT_EQ(gaps.size(), 1u);
  const PlanningGap& g = gaps[0];
  EXPECT_EQ(g.kind, "no course in reach");
  EXPECT_EQ(g.course_type, cv1::COURSE_TYPE_INTEGRATION_YOUTH);
  EXPECT_EQ(g.social_area, "Riesa");
  EXPECT_EQ(g.waiting, 9);
  EXPECT_EQ(g.median_days_waited, 34);
  EXPECT_EQ(g.free_seats_elsewhere, 7) << "the Meißen class's free seats, out of reach";
  ASSERT_TRUE(g.proposed);
  EXPECT_EQ(g.proposal.town, "Riesa");
  EXPECT_EQ(g.proposal.provider, "vhs") << "the provider of the district's youth course";
  EXPECT_EQ(g.proposal.seats, 9);
  EXPECT_EQ(g.proposal.every_weeks, 26) << "nine in half a year: one class in the period";
  EXPECT_EQ(g.proposal.schedule, cv1::SCHEDULE_MORNING);
  EXPECT_EQ(g.proposal.duration_weeks, 30);

  // The proposal is a scenario that applies to the district.
  const std::string scenario = ProposalScenario(district, gaps);
  EXPECT_TRUE(absl::StrContains(scenario, "add_course_series,\"integration_youth,Riesa,vhs,26,")) << scenario;
  const ScenarioResult applied = ApplyScenario(ReadDistrictFiles(kMeissen), "proposal.csv", scenario);
  for (const auto& p : applied.problems) ADD_FAILURE() << p.ToString();
  const District changed = ParseDistrict(applied.files).district;
  EXPECT_EQ(changed.course_plan.size(), district.course_plan.size() + 1);

  // Past the seats a district may add, nothing is proposed, and the report says why.
  options.max_added_seat_share = 0.2;  // 8 seats: the class of 9 is past them
  const auto over = FindPlanningGaps(district, requests, courses, free, options);
  ASSERT_EQ(over.size(), 1u);
  EXPECT_FALSE(over[0].proposed);
  EXPECT_TRUE(over[0].over_budget);
  EXPECT_TRUE(ProposalScenario(district, over).empty());
}

TEST(PlanningGapsTest, WaitsPastTheTargetForASeriesStartGetTheSameSeriesHalfACadenceLater) {
  const District district = ReadDistrict(kMeissen).district;
  // The Meißen alpha series: every 9 weeks from week 2.
  const int series = 5;
  ASSERT_EQ(district.course_plan[series].type, cv1::COURSE_TYPE_INTEGRATION_ALPHA);
  ASSERT_EQ(district.course_plan[series].town, "Meißen");
  ASSERT_EQ(district.course_plan[series].every_weeks, 9);
  HindsightCourse alpha = Course(cv1::COURSE_TYPE_INTEGRATION_ALPHA, kMeissenTown);
  alpha.series = series;
  std::vector<GapRequest> requests;
  for (int wait : {50, 45, 40, 35, 20}) {
    GapRequest g = Waiting(cv1::COURSE_TYPE_INTEGRATION_ALPHA, kMeissenTown, "Meißen", "Meißen", 0);
    g.waiting = false;
    g.course = 0;
    g.access_wait = wait;
    requests.push_back(g);
  }
  GapOptions options;
  options.period_weeks = 26;
  options.access_wait_target_days = 30;
  options.max_added_seat_share = 1.0;
  const auto gaps = FindPlanningGaps(district, requests, {alpha}, {}, options);
  ASSERT_EQ(gaps.size(), 1u);
  const PlanningGap& g = gaps[0];
  EXPECT_EQ(g.kind, "waits past the target");
  EXPECT_EQ(g.waiting, 4) << "the one who waited 20 days is within the target";
  EXPECT_EQ(g.median_days_waited, 42.5);
  ASSERT_TRUE(g.proposed);
  EXPECT_EQ(g.proposal.town, "Meißen");
  EXPECT_EQ(g.proposal.every_weeks, 9);
  EXPECT_EQ(g.proposal.first_week, 2 + 5) << "half a cadence after the series' own starts";
  EXPECT_EQ(g.proposal.seats, 6) << "8 for 3 starts: 3 a class, but never below the smallest class";

  // Without a target, or with fewer past it than a series in between needs: nothing.
  options.access_wait_target_days = 0;
  EXPECT_TRUE(FindPlanningGaps(district, requests, {alpha}, {}, options).empty());
  options.access_wait_target_days = 42;
  EXPECT_TRUE(FindPlanningGaps(district, requests, {alpha}, {}, options).empty()) << "two past 42 days";
}

TEST(PlanningGapsTest, LongWaitsWithCoursesInReachAreTooFewSeatsAndTooFewForAClassGetNoProposal) {
  const District district = ReadDistrict(kMeissen).district;
  std::vector<GapRequest> requests;
  for (int i = 0; i < 3; ++i) {
    auto r = Waiting(cv1::COURSE_TYPE_INTEGRATION_GENERAL, kRiesa, "Riesa", "Riesa", 60);
    r.request.evening_only = true;
    requests.push_back(r);
  }
  requests.push_back(Waiting(cv1::COURSE_TYPE_INTEGRATION_GENERAL, kRiesa, "Riesa", "Riesa", 60));
  HindsightCourse evening = Course(cv1::COURSE_TYPE_INTEGRATION_GENERAL, kRiesa);
  evening.evening = true;
  GapOptions options;
  const auto gaps = FindPlanningGaps(district, requests, {evening}, {}, options);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].kind, "too few seats");
  EXPECT_TRUE(gaps[0].evening);
  EXPECT_EQ(gaps[0].waiting, 3);
  EXPECT_FALSE(gaps[0].proposed) << "three are too few for a class";
  EXPECT_EQ(gaps[1].waiting, 1);
  EXPECT_TRUE(ProposalScenario(district, gaps).empty());
}

}  // namespace
}  // namespace ankommen::sim
