// Scenarios: a small table of changes makes another district from a district's
// tables, and a change that cannot be made is named by line and field.
#include "scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "text/csv.h"

namespace ankommen::sim {
namespace {

using ::testing::Contains;
using ::testing::Field;

const std::string kMeissen = std::string(ANKOMMEN_SAMPLE_DIR) + "/meissen";

District Changed(const ScenarioResult& result) {
  LoadedDistrict loaded = ParseDistrict(result.files);
  for (const auto& p : loaded.problems) ADD_FAILURE() << p.ToString();
  return loaded.district;
}

TEST(ScenarioTest, AYouthCourseInRiesa) {
  const auto files = ReadDistrictFiles(kMeissen);
  const District before = ParseDistrict(files).district;
  const ScenarioResult result = ApplyScenario(
      files, "youth",
      "change,value\nname,a youth integration course in Riesa\n"
      "add_course_series,\"integration_youth,Riesa,bildungswerk,13,4,morning,0,0,30,B1\"\n");
  for (const auto& p : result.problems) ADD_FAILURE() << p.ToString();
  EXPECT_EQ(result.name, "a youth integration course in Riesa");
  const District after = Changed(result);
  ASSERT_EQ(after.course_plan.size(), before.course_plan.size() + 1);
  EXPECT_EQ(after.course_plan.back().type, courses::v1::COURSE_TYPE_INTEGRATION_YOUTH);
  EXPECT_EQ(after.course_plan.back().town, "Riesa");
  EXPECT_EQ(after.course_plan.back().every_weeks, 13);
  // Nothing else changed.
  EXPECT_EQ(result.files.at("schools.csv"), files.at("schools.csv"));
  EXPECT_EQ(after.arrivals.households_per_week, before.arrivals.households_per_week);
}

TEST(ScenarioTest, EveryKindOfChange) {
  const auto files = ReadDistrictFiles(kMeissen);
  const District before = ParseDistrict(files).district;
  const ScenarioResult result = ApplyScenario(files, "all",
                                              "change,value\n"
                                              "remove_course_series,\"integration_general,Großenhain\"\n"
                                              "course_seats,\"integration_general,Riesa,20\"\n"
                                              "childcare_places,\"integration_parents,Riesa,10\"\n"
                                              "kita_places,\"Riesa,3,7\"\n"
                                              "flats,\"Radebeul,2\"\n"
                                              "social_workers,\"Riesa,3\"\n"
                                              "arrivals_factor,1.5\n"
                                              "set,\"course_max_km,25\"\n");
  for (const auto& p : result.problems) ADD_FAILURE() << p.ToString();
  const District after = Changed(result);
  EXPECT_EQ(after.course_plan.size(), before.course_plan.size() - 1);
  for (const auto& s : after.course_plan) {
    EXPECT_FALSE(s.type == courses::v1::COURSE_TYPE_INTEGRATION_GENERAL && s.town == "Großenhain");
    if (s.type == courses::v1::COURSE_TYPE_INTEGRATION_GENERAL && s.town == "Riesa") {
      EXPECT_EQ(s.seats, 20);
    }
    if (s.type == courses::v1::COURSE_TYPE_INTEGRATION_PARENTS && s.town == "Riesa") {
      EXPECT_EQ(s.childcare, 10);
    }
  }
  EXPECT_DOUBLE_EQ(after.arrivals.households_per_week, before.arrivals.households_per_week * 1.5);
  EXPECT_EQ(after.course_max_km, 25);
  for (const auto& a : after.social_areas) {
    if (a.name == "Riesa") {
      EXPECT_EQ(a.social_workers, 3);
    }
  }
  const CsvTable kitas = ParseCsv(result.files.at("kitas.csv"));
  ASSERT_EQ(kitas.rows.size(), ParseCsv(files.at("kitas.csv")).rows.size() + 1);
  EXPECT_EQ(kitas.Get(kitas.rows.back(), "social_area"), "Riesa");
  EXPECT_EQ(kitas.Get(kitas.rows.back(), "places_3_to_school"), "7");
  const CsvTable flats = ParseCsv(result.files.at("accommodations.csv"));
  EXPECT_EQ(flats.rows.size(), ParseCsv(files.at("accommodations.csv")).rows.size() + 2);
  EXPECT_EQ(flats.Get(flats.rows.back(), "social_area"), "Radebeul");
}

TEST(ScenarioTest, AChangeThatCannotBeMadeIsNamed) {
  const auto files = ReadDistrictFiles(kMeissen);
  const ScenarioResult result = ApplyScenario(files, "bad",
                                              "change,value\n"
                                              "open_school,\"Riesa\"\n"                                  // line 2
                                              "remove_course_series,\"integration_youth,Gröditz\"\n"     // line 3
                                              "course_seats,\"integration_general,Riesa,-4\"\n"          // line 4
                                              "flats,\"Atlantis,3\"\n");                                 // line 5
  EXPECT_THAT(result.problems, Contains(Field(&DistrictProblem::line, 2)));
  EXPECT_EQ(result.problems[0].field, "change");
  EXPECT_THAT(result.problems, Contains(Field(&DistrictProblem::line, 3)));
  EXPECT_THAT(result.problems, Contains(Field(&DistrictProblem::line, 4)));
  EXPECT_THAT(result.problems, Contains(Field(&DistrictProblem::line, 5)));
  for (const auto& p : result.problems) EXPECT_EQ(p.file, "scenario.csv");
}

TEST(ScenarioTest, AScenarioThatBreaksTheDistrictIsRefused) {
  const auto files = ReadDistrictFiles(kMeissen);
  // A well-formed change, but to a town the district does not have.
  const ScenarioResult result = ApplyScenario(
      files, "elsewhere",
      "change,value\nadd_course_series,\"integration_youth,Dresden,vhs,13,4,morning,0,0,30,B1\"\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems[0].file, "course_plan.csv");
  EXPECT_EQ(result.problems[0].field, "municipality");
  EXPECT_TRUE(absl::StrContains(result.problems[0].message, "after the scenario"));
}

}  // namespace
}  // namespace ankommen::sim
