// The simulated district's pure parts: arrivals are deterministic and pass
// the registry's own validation, the course plan and the flats pass the
// services' validation, and the report's figures and renderings are right.
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "courses/domain/validation.h"
#include "courses/storage/course_store.h"
#include "district.h"
#include "housing/domain/validation.h"
#include "store/ids.h"
#include "registry/domain/validation.h"
#include "population.h"
#include "report.h"

namespace ankommen::sim {
namespace {

constexpr absl::CivilDay kStart{2027, 1, 4};

// A bundled district, read as ankommen-sim reads it; a problem fails the test.
District Sample(const std::string& name) {
  LoadedDistrict loaded = ReadDistrict(std::string(ANKOMMEN_SAMPLE_DIR) + "/" + name);
  for (const auto& p : loaded.problems) ADD_FAILURE() << p.ToString();
  return loaded.district;
}
District Meissen() { return Sample("meissen"); }

// What must hold of every bundled district.
class BundledDistrictTest : public ::testing::TestWithParam<const char*> {};
INSTANTIATE_TEST_SUITE_P(Samples, BundledDistrictTest, ::testing::Values("meissen", "kaiserslautern"),
                         [](const auto& param_info) { return std::string(param_info.param); });

TEST(ArrivalsTest, TheSameSeedGivesTheSameDistrict) {
  const District d = Meissen();
  auto a = Arrivals(d, kStart, 8, 1, 42);
  auto b = Arrivals(d, kStart, 8, 1, 42);
  auto c = Arrivals(d, kStart, 8, 1, 43);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].day, b[i].day);
    EXPECT_EQ(a[i].household.SerializeAsString(), b[i].household.SerializeAsString());
  }
  bool differs = a.size() != c.size();
  for (size_t i = 0; !differs && i < a.size(); ++i) {
    differs = a[i].household.SerializeAsString() != c[i].household.SerializeAsString();
  }
  EXPECT_TRUE(differs);
}

TEST_P(BundledDistrictTest, EveryHouseholdIsValidForTheRegistryOnItsDay) {
  const District d = Sample(GetParam());
  const auto arrivals = Arrivals(d, kStart, 26, 1, 1);
  for (const auto& a : arrivals) {
    registry::v1::RegisterHouseholdRequest request;
    request.set_idempotency_key("k");
    *request.mutable_household() = a.household;
    ASSERT_TRUE(registry::ValidateRegistration(request, kStart + a.day).ok())
        << registry::ValidateRegistration(request, kStart + a.day) << "\n" << a.household.DebugString();
    EXPECT_GE(a.day, 0);
    EXPECT_LT(a.day, 26 * 7);
    EXPECT_LT((a.day % 7), 5) << "registered on a weekday";
  }
}

TEST(ArrivalsTest, SharesArePlausible) {
  const District d = Meissen();
  const auto arrivals = Arrivals(d, kStart, 52, 1, 3);
  const double per_week = static_cast<double>(arrivals.size()) / 52;
  EXPECT_NEAR(per_week, d.arrivals.households_per_week, 1.5);
  int persons = 0, children = 0, ukrainian = 0, with_decision = 0;
  std::set<std::string> areas;
  for (const auto& a : arrivals) {
    persons += a.household.members_size();
    for (const auto& p : a.household.members()) children += p.relation() == registry::v1::RELATION_CHILD ? 1 : 0;
    ukrainian += a.household.members(0).nationality() == "UA" ? 1 : 0;
    with_decision += a.decision_day >= 0 ? 1 : 0;
    areas.insert(a.household.social_area());
  }
  const double size = static_cast<double>(persons) / static_cast<double>(arrivals.size());
  EXPECT_GT(size, 2.0);
  EXPECT_LT(size, 3.2);
  EXPECT_NEAR(static_cast<double>(children) / persons, 0.45, 0.12);
  EXPECT_NEAR(static_cast<double>(ukrainian) / static_cast<double>(arrivals.size()), 0.25, 0.06);
  EXPECT_GT(with_decision, 0);
  EXPECT_EQ(areas, (std::set<std::string>{"Meißen", "Riesa", "Großenhain", "Radebeul"}));
}

TEST(ArrivalsTest, StateScaleBringsAboutEightTimesAsMany) {
  const District d = Meissen();
  const double district = static_cast<double>(Arrivals(d, kStart, 10, 1, 5).size());
  const double state = static_cast<double>(Arrivals(d, kStart, 10, 8, 5).size());
  EXPECT_NEAR(state / district, 8, 2);
}

TEST_P(BundledDistrictTest, EveryCourseIsValidWhenAnnounced) {
  const District d = Sample(GetParam());
  const auto plan = CoursePlan(d, 26, 1);
  std::set<courses::v1::CourseType> types;
  for (const auto& p : plan) {
    EXPECT_LE(p.announce_day, p.start_day);
    EXPECT_LT(p.start_day, p.end_day);
    courses::v1::CreateCourseRequest request;
    request.set_idempotency_key("k");
    *request.mutable_course() = p.course;
    request.mutable_course()->set_provider_id(NewId(courses::kProviderIdPrefix, 0));
    request.mutable_course()->set_start_date(FormatIsoDate(kStart + p.start_day));
    auto s = courses::ValidateCreateCourse(request, kStart + p.announce_day);
    EXPECT_TRUE(s.ok()) << s << "\n" << p.course.DebugString();
    types.insert(p.course.course_type());
  }
  EXPECT_EQ(types.size(), 7u) << "courses of every type";
  EXPECT_EQ(CoursePlan(d, 26, 8).size(), plan.size() * 8);
}

TEST_P(BundledDistrictTest, EveryReportedFlatIsValid) {
  Random random(9);
  const District d = Sample(GetParam());
  const auto flats = FlatSupply(d, 26, 1, random);
  EXPECT_GT(flats.size(), static_cast<size_t>(26 * d.flats_per_week / 2));
  for (const auto& f : flats) {
    housing::v1::CreateAccommodationRequest request;
    request.set_idempotency_key("k");
    *request.mutable_accommodation() = f.accommodation;
    request.mutable_accommodation()->set_vacant_from(FormatIsoDate(kStart + f.day));
    auto s = housing::ValidateCreateAccommodation(request);
    EXPECT_TRUE(s.ok()) << s << "\n" << f.accommodation.DebugString();
  }
}

TEST(ReportTest, NearestRankPercentiles) {
  WaitStats s = Summarize({10, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.median, 5);
  EXPECT_EQ(s.p90, 9);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_EQ(Summarize({}).count, 0);
  EXPECT_EQ(Summarize({7}).p90, 7);
}

Report SampleReport() {
  Report r;
  r.district = "Landkreis Meißen";
  r.policy = "optimal";
  r.weeks = 2;
  r.courses.push_back({"general", "Riesa", 10, 8, 2, Summarize({5, 9, 30}), Summarize({0, 2, 7}), Summarize({12, 40}), 4.2});
  r.course_access_wait = Summarize({5, 9, 30});
  r.course_waiting_time = Summarize({0, 2, 7});
  r.children.push_back({"DaZ GS", "Riesa", 3, 1, Summarize({0, 0, 14})});
  r.weekly = {{0, 5, 7, 0, 1, 2, 3}, {1, 6, 9, 1, 1, 1, 5}};
  r.checks.push_back({"offers", 4, 4, ""});
  return r;
}

TEST(ReportTest, ChecksDecideWhetherItAddsUp) {
  Report r = SampleReport();
  EXPECT_TRUE(r.reconciled());
  EXPECT_TRUE(absl::StrContains(RenderTable(r), "Everything adds up"));
  r.checks.push_back({"households", 10, 9, ""});
  EXPECT_FALSE(r.reconciled());
  EXPECT_TRUE(absl::StrContains(RenderTable(r), "FAIL households: 10 = 9"));
  EXPECT_FALSE(ToJson(r)["reconciled"].get<bool>());
}

TEST(ReportTest, TableAlignsAreasWithUmlauts) {
  Report r = SampleReport();
  r.courses.push_back({"general", "Großenhain", 11, 1, 0, Summarize({3}), Summarize({1}), Summarize({}), 1});
  const std::string table = RenderTable(r);
  // Both rows put their first number at the same character column.
  auto column = [&](const std::string& area) {
    const size_t line = table.find("general      " + area);
    size_t chars = 0;
    for (size_t i = line; i < table.find_first_of("0123456789", line); ++i) chars += (table[i] & 0xC0) != 0x80;
    return chars;
  };
  EXPECT_EQ(column("Riesa"), column("Großenhain"));
}

TEST(ReportTest, BothWaitsAreShownAsBamfCountsThem) {
  const std::string table = RenderTable(SampleReport());
  // Riesa: access time median 9, p90 30(ish), mean 14.7; waiting time median 2, mean 3.0.
  EXPECT_TRUE(absl::StrContains(table, "access time median 9.0, mean 14.7; waiting time median 2.0, mean 3.0")) << table;
  EXPECT_TRUE(absl::StrContains(table, " 14.7       2   3.0")) << table;
  const auto json = ToJson(SampleReport());
  EXPECT_EQ(json["courses"][0]["waiting_time"]["median_days"], 2);
  EXPECT_EQ(json["course_waiting_time"]["mean_days"], 3);
}

TEST(ReportTest, SvgChartHasALinePerSeries) {
  const std::string svg = RenderSvg(SampleReport());
  EXPECT_TRUE(absl::StartsWith(svg, "<svg"));
  EXPECT_TRUE(absl::StrContains(svg, "</svg>"));
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
  EXPECT_TRUE(absl::StrContains(svg, "Landkreis Meißen"));
}

TEST(ReportTest, ComparisonShowsBothPolicies) {
  Report a = SampleReport();
  a.policy = "fcfs";
  const std::string text = RenderComparison(ToJson(a), ToJson(SampleReport()));
  EXPECT_TRUE(absl::StrContains(text, "policy fcfs"));
  EXPECT_TRUE(absl::StrContains(text, "policy optimal"));
  EXPECT_TRUE(absl::StrContains(text, "8"));  // enrolled
}

}  // namespace
}  // namespace ankommen::sim
