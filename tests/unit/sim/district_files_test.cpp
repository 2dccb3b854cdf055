// A district's tables: a good one reads without a problem, and each kind of
// mistake a district's staff could make is named by file, line and field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "district.h"

namespace ankommen::sim {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::AllOf;

const std::string kTiny = std::string(ANKOMMEN_TEST_DATA_DIR) + "/districts/tiny";

std::map<std::string, std::string> TinyFiles() {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kTiny)) {
    if (entry.path().extension() != ".csv") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    files[entry.path().filename().string()] = text.str();
  }
  return files;
}

auto ProblemAt(const std::string& file, int line, const std::string& field) {
  return AllOf(Field(&DistrictProblem::file, file), Field(&DistrictProblem::line, line),
               Field(&DistrictProblem::field, field));
}

// The tiny district with one file's text changed.
LoadedDistrict Spoilt(const std::string& file, const std::string& from, const std::string& to) {
  auto files = TinyFiles();
  EXPECT_NE(files.at(file).find(from), std::string::npos) << from;
  files[file] = absl::StrReplaceAll(files.at(file), {{from, to}});
  return ParseDistrict(files);
}

TEST(DistrictFilesTest, TheTinyDistrictReadsWithoutAProblem) {
  const LoadedDistrict loaded = ReadDistrict(kTiny);
  for (const auto& p : loaded.problems) ADD_FAILURE() << p.ToString();
  const District& d = loaded.district;
  EXPECT_EQ(d.name, "Testkreis Klein");
  EXPECT_EQ(d.land, "SN");
  ASSERT_EQ(d.social_areas.size(), 2u);
  EXPECT_EQ(d.social_areas[1].name, "Süd");
  ASSERT_EQ(d.towns.size(), 3u);
  EXPECT_EQ(d.towns[2].ags, "14627060");
  EXPECT_DOUBLE_EQ(d.towns[0].lat, 51.3080);
  ASSERT_EQ(d.course_plan.size(), 4u);
  EXPECT_EQ(d.course_plan[1].type, courses::v1::COURSE_TYPE_INTEGRATION_PARENTS);
  EXPECT_EQ(d.course_plan[1].childcare, 4);
  EXPECT_EQ(d.course_plan[2].schedule, courses::v1::SCHEDULE_AFTERNOON);
  ASSERT_EQ(d.arrivals.origins.size(), 3u);
  EXPECT_EQ(d.arrivals.origins[1].status, registry::v1::RESIDENCE_STATUS_ASYLUM_SEEKER);
  EXPECT_EQ(d.arrivals.household_shapes, (std::vector<double>{30, 10, 20, 40}));
  EXPECT_DOUBLE_EQ(d.arrivals.households_per_week, 3);
  EXPECT_DOUBLE_EQ(d.arrivals.kita_decline_share, 0.3);
  // Settings a district leaves out keep their defaults.
  EXPECT_DOUBLE_EQ(d.behaviour.offer_accept_share, 0.75);
  EXPECT_EQ(d.announce_weeks_ahead, 6);
}

TEST(DistrictFilesTest, TheServicesGetTheDistrictsSettings) {
  const District d = ReadDistrict(kTiny).district;
  auto env = ServiceEnvironment(d, 1);
  EXPECT_EQ(env["ANKOMMEN_HOUSING_M2_PER_PERSON"], "6");
  EXPECT_EQ(env["ANKOMMEN_HOUSING_SOCIAL_WORKERS"], "Nord=1,Süd=1");
  EXPECT_EQ(env["ANKOMMEN_NOTIFICATIONS_TEAMS"], "Nord=sozialarbeit.nord@testkreis.example");
  EXPECT_EQ(env["ANKOMMEN_COURSES_MAX_KM"], "40");
  EXPECT_EQ(env["ANKOMMEN_COURSES_LATE_ENTRY_DAYS"], "28");
  EXPECT_EQ(env["ANKOMMEN_SCHOOLS_MAX_KM"], "BSZ=40,GS=15,KITA=10,OS=25");
  EXPECT_EQ(ServiceEnvironment(d, 8)["ANKOMMEN_HOUSING_SOCIAL_WORKERS"], "Nord=8,Süd=8");
  EXPECT_EQ(env["ANKOMMEN_LAND"], "SN");
  EXPECT_EQ(env.count("ANKOMMEN_SCHOOL_CUTOFF"), 0u) << "Saxony's is known";
  EXPECT_EQ(env.count("ANKOMMEN_HOUSING_CASELOAD_TARGET"), 0u) << "the service's default";
  auto targeted = Spoilt("district.csv", "land,SN", "land,SN\ncaseload_target,80");
  ASSERT_TRUE(targeted.problems.empty()) << targeted.problems[0].ToString();
  EXPECT_EQ(ServiceEnvironment(targeted.district, 1)["ANKOMMEN_HOUSING_CASELOAD_TARGET"], "80");
}

TEST(DistrictFilesTest, ALandWhoseSchoolCutOffIsUnknownMustNameIt) {
  auto unknown = Spoilt("district.csv", "land,SN", "land,NW");
  EXPECT_THAT(unknown.problems, Contains(ProblemAt("district.csv", 0, "school_cutoff")));
  auto named = Spoilt("district.csv", "land,SN", "land,NW\nschool_cutoff,09-30");
  EXPECT_TRUE(named.problems.empty()) << named.problems[0].ToString();
  EXPECT_EQ(ServiceEnvironment(named.district, 1)["ANKOMMEN_SCHOOL_CUTOFF"], "09-30");
  auto bad = Spoilt("district.csv", "land,SN", "land,SN\nschool_cutoff,31.06.");
  EXPECT_THAT(bad.problems, Contains(ProblemAt("district.csv", 4, "value")));
}

TEST(DistrictFilesTest, AWrongColumnIsNamed) {
  auto loaded = Spoilt("course_plan.csv", "childcare_places", "kinderbetreuung");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("course_plan.csv", 1, "childcare_places")));
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("course_plan.csv", 1, "kinderbetreuung")));
}

TEST(DistrictFilesTest, AnUnknownTownIsNamed) {
  auto loaded = Spoilt("course_plan.csv", "volunteer,Gröditz", "volunteer,Grödits");
  ASSERT_THAT(loaded.problems, Contains(ProblemAt("course_plan.csv", 5, "municipality")));
  EXPECT_EQ(loaded.problems.size(), 1u) << loaded.problems[0].ToString();
  EXPECT_EQ(loaded.problems[0].ToString(), "course_plan.csv:5: municipality: \"Grödits\" is not in municipalities.csv");
}

TEST(DistrictFilesTest, AnUnknownCourseTypeIsNamed) {
  auto loaded = Spoilt("course_plan.csv", "first_orientation", "erstorientierung");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("course_plan.csv", 4, "course_type")));
}

TEST(DistrictFilesTest, CoordinatesOutsideGermanyAreNamed) {
  // Latitude and longitude swapped.
  auto loaded = Spoilt("municipalities.csv", "51.4130,13.4460", "13.4460,51.4130");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("municipalities.csv", 3, "lat")));
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("municipalities.csv", 3, "lon")));
}

TEST(DistrictFilesTest, NegativeSeatsAreNamed) {
  auto loaded = Spoilt("course_plan.csv", "afternoon,12,0,4", "afternoon,-12,0,4");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("course_plan.csv", 4, "seats")));
}

TEST(DistrictFilesTest, AnUnknownMunicipalityKeyInAnImportedTableIsNamed) {
  auto loaded = Spoilt("kitas.csv", "Kita Röderaue Großenhain,14627060", "Kita Röderaue Großenhain,14627999");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("kitas.csv", 3, "municipality_ags")));
}

TEST(DistrictFilesTest, AMediatorTheServiceWouldRefuseIsNamedBeforeAnythingStarts) {
  auto loaded = Spoilt("mediators.csv", "ar:apc,volunteer,male,Nord;Süd", "ar:xyz,volunteer,male,Nord;Mitte");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("mediators.csv", 3, "mediator.skills[0].dialect")));
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("mediators.csv", 3, "social_areas")));
}

TEST(DistrictFilesTest, ATargetOfAnUnknownIndicatorAreaOrPeriodIsNamed) {
  EXPECT_TRUE(ParseDistrict(TinyFiles()).ok());
  auto loaded = Spoilt("targets.csv", "households_in_flats,Nord,,50,2027-01-01,2027-12-31",
                       "households_in_flat,Mitte,,150,2027-12-31,2027-01-01");
  for (const char* field : {"indicator", "social_area", "to"}) {
    EXPECT_THAT(loaded.problems, Contains(ProblemAt("targets.csv", 3, field))) << field;
  }
  auto share = Spoilt("targets.csv", "mediator_requests_filled,,,90", "mediator_requests_filled,,,190");
  EXPECT_THAT(share.problems, Contains(ProblemAt("targets.csv", 4, "target")));
}

TEST(DistrictFilesTest, AMalformedMunicipalityKeyAndAnUnknownSocialAreaAreNamed) {
  auto loaded = Spoilt("municipalities.csv", "14627050,Gröditz,Nord", "1462705,Gröditz,Mitte");
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("municipalities.csv", 3, "ags")));
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("municipalities.csv", 3, "social_area")));
}

TEST(DistrictFilesTest, SettingsAreCheckedByName) {
  auto unknown = Spoilt("district.csv", "flats_per_week,1", "flats_a_week,1");
  EXPECT_THAT(unknown.problems, Contains(ProblemAt("district.csv", 6, "key")));
  EXPECT_THAT(unknown.problems, Contains(ProblemAt("district.csv", 0, "flats_per_week")));
  auto shares = Spoilt("district.csv", "single_parent=20", "single_parents=20");
  EXPECT_THAT(shares.problems, Contains(ProblemAt("district.csv", 5, "value")));
  auto share = Spoilt("district.csv", "kita_decline_share,0.3", "kita_decline_share,30%");
  EXPECT_THAT(share.problems, Contains(ProblemAt("district.csv", 9, "value")));
}

TEST(DistrictFilesTest, AMissingFileIsNamed) {
  auto files = TinyFiles();
  files.erase("origins.csv");
  auto loaded = ParseDistrict(files);
  EXPECT_THAT(loaded.problems, Contains(ProblemAt("origins.csv", 0, "")));
  EXPECT_FALSE(ReadDistrict(kTiny + "/no-such-dir").ok());
}

}  // namespace
}  // namespace ankommen::sim
